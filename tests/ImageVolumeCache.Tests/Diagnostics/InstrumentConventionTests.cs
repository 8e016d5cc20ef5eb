using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>
/// Every instrument the library creates is named and measured as the OpenTelemetry semantic conventions name theirs:
/// lower-case dot-separated namespaces with snake_case words, no unit in the name, a UCUM unit (<c>s</c>, <c>By</c>,
/// <c>1</c> or a <c>{annotation}</c>), a plural name only for a count of things, seconds for durations and bytes for sizes.
/// </summary>
public sealed partial class InstrumentConventionTests
{
    // Words that are units: the unit belongs in the instrument's unit, not its name.
    private static readonly string[] UnitWords = ["bytes", "byte", "seconds", "second", "ms", "millis", "milliseconds", "gb", "gib", "mb", "mib", "kb", "kib", "percent"];

    private readonly CacheHarness _harness = new();
    private IReadOnlyList<Instrument> _instruments = [];

    [OneTimeSetUp]
    public void ReadInstruments() => _instruments = LibraryInstruments.Created(_harness);

    [OneTimeTearDown]
    public void DisposeHarness() => _harness.Dispose();

    [Test]
    public void The_library_creates_exactly_the_instruments_its_constants_name()
    {
        Assert.That(_instruments.Select(i => i.Name), Is.EquivalentTo(LibraryInstruments.NamedByConstants()));
    }

    [Test]
    public void Names_are_lower_case_dot_separated_and_under_the_librarys_namespace()
    {
        Assert.That(Offenders(i => Name().IsMatch(i.Name)), Is.Empty);
    }

    [Test]
    public void Names_carry_no_unit()
    {
        Assert.That(
            Offenders(i => !i.Name.Split('.', '_').Any(word => UnitWords.Contains(word)) && !i.Name.EndsWith("_total", StringComparison.Ordinal)),
            Is.Empty);
    }

    [Test]
    public void Units_are_ucum_units_or_lower_case_annotations()
    {
        Assert.That(Offenders(i => i.Unit is "s" or "By" or "1" || (i.Unit is not null && Annotation().IsMatch(i.Unit))), Is.Empty);
    }

    [Test]
    public void A_plural_name_counts_things_and_so_has_an_annotation_as_its_unit()
    {
        Assert.That(Offenders(i => !i.Name.EndsWith('s') || i.Unit?.StartsWith('{') == true), Is.Empty);
    }

    [Test]
    public void Durations_are_histograms_in_seconds()
    {
        Assert.That(Offenders(i => !i.Name.EndsWith(".duration", StringComparison.Ordinal) || (i is Histogram<double> && i.Unit == "s")), Is.Empty);
    }

    [Test]
    public void Sizes_and_byte_counts_are_in_bytes()
    {
        Assert.That(Offenders(i => !(i.Name.EndsWith(".size", StringComparison.Ordinal) || i.Name.EndsWith(".io", StringComparison.Ordinal)) || i.Unit == "By"), Is.Empty);
    }

    [Test]
    public void Every_instrument_has_a_description()
    {
        Assert.That(Offenders(i => !string.IsNullOrWhiteSpace(i.Description)), Is.Empty);
    }

    /// <summary>The instruments that break a rule, as "name (unit)".</summary>
    private List<string> Offenders(Func<Instrument, bool> follows)
    {
        Assert.That(_instruments, Is.Not.Empty);
        return [.. _instruments.Where(i => !follows(i)).Select(i => $"{i.Name} ({i.Unit})")];
    }

    [GeneratedRegex(@"^imagevolumecache(\.[a-z][a-z0-9]*(_[a-z0-9]+)*)+$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^\{[a-z][a-z_.]*\}$")]
    private static partial Regex Annotation();
}
