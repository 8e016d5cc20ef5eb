using System.Diagnostics;

namespace ImageVolumeCache.Cli.Tests;

/// <summary>
/// The README's "Operate it with ivc", as written: the sample leaves a cache and an ivc.json in its data folder, and the
/// section's ivc commands, run against that folder, show, check and evict its entry.
/// </summary>
public sealed class SampleDataFolderTests
{
    private const string Heading = "## Operate it with ivc";
    private const string DataFolderInReadme = "~/.cache/imagevolumecache-sample";
    private const string RunPrefix = "dotnet run --project tools/ImageVolumeCache.Cli -- ";

    [Test]
    public async Task The_readme_commands_show_check_and_evict_the_cache_a_sample_run_left()
    {
        string readme = RepositoryFiles.Read("README.md").ReplaceLineEndings("\n");
        string[] commands = [.. RepositoryFiles.CodeBlocks(readme, Heading, "sh").Single().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        string statsShown = RepositoryFiles.CodeBlocks(readme, Heading, "text").Single().Trim();
        Assert.That(commands, Has.All.StartWith(RunPrefix));
        Assert.That(commands.Select(c => c[RunPrefix.Length..].Split(' ')[0]), Is.EqualTo(new[] { "stats", "entries", "health", "evict" }));

        using var folder = new TemporaryDirectory();
        string data = folder.Combine("sample");
        await RunSampleAsync(data);
        var results = new List<IvcResult>();
        foreach (string command in commands)
        {
            string[] args = command[RunPrefix.Length..].Replace(DataFolderInReadme, data, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            results.Add(await IvcProcess.RunAsync(folder.Path, args));
        }

        IvcResult after = await IvcProcess.RunAsync(folder.Path, "entries", "--config", Path.Combine(data, "ivc.json"));

        Assert.That(results.Select(r => r.ExitCode), Is.All.Zero, string.Join("\n", results));
        Assert.That(results[0].Output.Trim(), Is.EqualTo(statsShown), "the stats the README shows, with the sample's limits from its appsettings.json");
        Assert.That(results[1].Lines, Has.Length.EqualTo(2));
        Assert.That(results[1].Lines[1], Does.Contain("demo-image"));
        Assert.That(results[2].Lines[0], Is.EqualTo("Healthy"));
        Assert.That(results[3].Output, Does.StartWith("Evicted entry 1: image demo-image"));
        Assert.That(after.Output.Trim(), Is.EqualTo("No cache entries."));
        Assert.That(Directory.GetFiles(Path.Combine(data, "volumes"), "*.img"), Is.Empty, "the sample deleted its volumes and ivc the cache volume");
    }

    /// <summary>The quick start's sample run, into the test's data folder (the README's default is the user's own).</summary>
    private static async Task RunSampleAsync(string data)
    {
        ProcessStartInfo info = ChildProcess.StartInfo("ImageVolumeCache.Sample.dll", ["--data-dir", data, "--image-size-mb", "4"]);
        using Process sample = Process.Start(info)!;
        Task<string> errors = sample.StandardError.ReadToEndAsync();
        await sample.StandardOutput.ReadToEndAsync();
        await sample.WaitForExitAsync();
        Assert.That(sample.ExitCode, Is.Zero, await errors);
    }
}
