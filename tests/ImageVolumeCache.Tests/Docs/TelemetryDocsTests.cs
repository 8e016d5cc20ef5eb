using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Docs;

/// <summary>
/// docs/telemetry.md lists every log event the packages write and every instrument the core creates (with its kind and
/// unit), and nothing that does not exist.
/// </summary>
public sealed partial class TelemetryDocsTests
{
    [Test]
    public void Every_logger_message_event_id_in_the_sources_is_in_the_telemetry_page_and_the_page_lists_no_other()
    {
        var inSources = new SortedSet<int>(
            Directory.EnumerateFiles(Path.Combine(RepositoryFiles.Root, "src"), "*.cs", SearchOption.AllDirectories)
                .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .SelectMany(file => LoggerMessageId().Matches(File.ReadAllText(file)))
                .Select(match => int.Parse(match.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        var onPage = new SortedSet<int>(
            EventRow().Matches(RepositoryFiles.Read("docs/telemetry.md")).Select(match => int.Parse(match.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.That(inSources, Is.Not.Empty);
        Assert.That(inSources.Except(onPage), Is.Empty, "event ids logged but missing from docs/telemetry.md");
        Assert.That(onPage.Except(inSources), Is.Empty, "event ids in docs/telemetry.md that nothing logs");
    }

    [Test]
    public void Every_instrument_is_in_the_telemetry_pages_metrics_table_with_its_kind_and_unit_and_the_table_lists_no_other()
    {
        using var harness = new CacheHarness();
        IReadOnlyList<Instrument> instruments = LibraryInstruments.Created(harness);
        Dictionary<string, string> rows = MetricRow().Matches(RepositoryFiles.Section(RepositoryFiles.Read("docs/telemetry.md"), "## Metrics"))
            .ToDictionary(match => match.Groups["name"].Value, match => match.Groups["kind"].Value.Trim());

        Assert.That(instruments, Is.Not.Empty);
        Assert.That(
            instruments.Where(i => !rows.TryGetValue(i.Name, out string? kind) || kind != $"{Kind(i)}, `{i.Unit}`").Select(i => $"{i.Name}: {Kind(i)}, `{i.Unit}`"),
            Is.Empty,
            "instruments missing from docs/telemetry.md, or listed with another kind or unit");
        Assert.That(rows.Keys.Except(instruments.Select(i => i.Name)), Is.Empty, "instruments in docs/telemetry.md that the library does not create");
    }

    private static string Kind(Instrument instrument) => instrument.GetType().Name switch
    {
        "Counter`1" => "counter",
        "Histogram`1" => "histogram",
        "ObservableGauge`1" => "gauge",
        string other => other,
    };

    [GeneratedRegex(@"^\| `(?<name>imagevolumecache\.[a-z0-9_.]+)`[^|]*\|(?<kind>[^|]+)\|", RegexOptions.Multiline)]
    private static partial Regex MetricRow();

    [GeneratedRegex(@"\[LoggerMessage\(\s*(?:EventId\s*=\s*)?(?<id>\d+)")]
    private static partial Regex LoggerMessageId();

    [GeneratedRegex(@"^\| (?<id>\d{4}) \|", RegexOptions.Multiline)]
    private static partial Regex EventRow();
}
