using System.Text.RegularExpressions;

namespace ImageVolumeCache.TestUtils;

/// <summary>The repository's own files (its docs, its sources), for tests that keep the docs true to the code.</summary>
public static partial class RepositoryFiles
{
    /// <summary>The folder holding <c>ImageVolumeCache.sln</c>, above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The text of a file, by its path from the repository's root.</summary>
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    /// <summary>The fenced code blocks of <paramref name="language"/> in a markdown text, in order, under the heading <paramref name="heading"/> (up to the next heading of its level or higher).</summary>
    public static IReadOnlyList<string> CodeBlocks(string markdown, string heading, string language)
    {
        string section = Section(markdown, heading);
        return [.. FencedBlock().Matches(section).Where(m => m.Groups["lang"].Value == language).Select(m => m.Groups["code"].Value)];
    }

    /// <summary>The text under a heading (its line included) up to the next heading of the same level or higher.</summary>
    public static string Section(string markdown, string heading)
    {
        string[] lines = markdown.Split('\n');
        int start = Array.FindIndex(lines, l => l.TrimEnd() == heading);
        Assert.That(start, Is.Not.Negative, $"heading '{heading}' not found");
        int level = heading.TakeWhile(c => c == '#').Count();
        int end = start + 1;
        bool inFence = false;
        for (; end < lines.Length; end++)
        {
            if (lines[end].StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            int hashes = lines[end].TakeWhile(c => c == '#').Count();
            if (!inFence && hashes > 0 && hashes <= level && lines[end].Length > hashes && lines[end][hashes] == ' ')
            {
                break;
            }
        }

        return string.Join('\n', lines[start..end]);
    }

    /// <summary>
    /// The lines between the markers <c>// begin: NAME</c> and <c>// end: NAME</c> of a source file, with their common
    /// indentation removed: the part of a test's source that a doc shows.
    /// </summary>
    public static string Region(string relativePath, string name)
    {
        string[] lines = Read(relativePath).Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == $"// begin: {name}");
        int end = Array.FindIndex(lines, l => l.Trim() == $"// end: {name}");
        Assert.That(start >= 0 && end > start, $"region '{name}' not found in {relativePath}");
        string[] region = lines[(start + 1)..end];
        int indent = region.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', region.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).TrimEnd() + "\n";
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImageVolumeCache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ImageVolumeCache.sln was not found above the test assembly.");
    }

    [GeneratedRegex("^```(?<lang>[a-z]*)\\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
