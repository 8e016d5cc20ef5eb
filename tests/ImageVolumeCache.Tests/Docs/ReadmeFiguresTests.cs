using System.Text.RegularExpressions;

namespace ImageVolumeCache.Tests.Docs;

/// <summary>Every figure the README gives says when it was measured and with which command.</summary>
public sealed partial class ReadmeFiguresTests
{
    [Test]
    public void Every_figure_caption_names_its_date_and_its_command()
    {
        string figures = RepositoryFiles.Section(RepositoryFiles.Read("README.md"), "### Figures");
        // A caption is a paragraph that starts in bold, up to the blank line that ends it.
        string[] captions = [.. figures.Split("\n\n").Select(p => p.Trim()).Where(p => p.StartsWith("**", StringComparison.Ordinal))];

        Assert.That(captions, Is.Not.Empty);
        Assert.That(captions.Where(c => !Date().IsMatch(c) || !c.Contains('`', StringComparison.Ordinal)), Is.Empty, "captions without a date and a command");
    }

    [Test]
    public void Every_paragraph_that_gives_measured_figures_names_its_date_and_its_command()
    {
        string[] measured = [.. RepositoryFiles.Read("README.md").Split("\n\n").Where(p => p.Contains("Measured", StringComparison.Ordinal) || p.Contains("measured", StringComparison.Ordinal))];

        Assert.That(measured, Is.Not.Empty);
        Assert.That(measured.Where(p => !Date().IsMatch(p) || !p.Contains('`', StringComparison.Ordinal)), Is.Empty, "paragraphs with figures but no date and command");
    }

    [GeneratedRegex(@"\b20\d\d-\d\d-\d\d\b")]
    private static partial Regex Date();
}
