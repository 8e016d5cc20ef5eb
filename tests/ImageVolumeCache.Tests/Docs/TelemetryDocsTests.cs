using System.Text.RegularExpressions;

namespace ImageVolumeCache.Tests.Docs;

/// <summary>docs/telemetry.md lists every log event the packages write, and no event that none writes.</summary>
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

    [GeneratedRegex(@"\[LoggerMessage\(\s*(?:EventId\s*=\s*)?(?<id>\d+)")]
    private static partial Regex LoggerMessageId();

    [GeneratedRegex(@"^\| (?<id>\d{4}) \|", RegexOptions.Multiline)]
    private static partial Regex EventRow();
}
