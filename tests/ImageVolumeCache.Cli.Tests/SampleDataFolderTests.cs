using System.Diagnostics;

namespace ImageVolumeCache.Cli.Tests;

/// <summary>The README's walk-through: the sample leaves a cache and an ivc.json in its data folder, and ivc reads both.</summary>
public sealed class SampleDataFolderTests
{
    [Test]
    public async Task After_a_sample_run_ivc_with_the_ivc_json_it_wrote_shows_and_evicts_its_cache_entry()
    {
        using var folder = new TemporaryDirectory();
        string data = folder.Combine("sample");
        ProcessStartInfo info = ChildProcess.StartInfo("ImageVolumeCache.Sample.dll", ["--data-dir", data, "--image-size-mb", "4"]);
        using (Process sample = Process.Start(info)!)
        {
            Task<string> errors = sample.StandardError.ReadToEndAsync();
            await sample.StandardOutput.ReadToEndAsync();
            await sample.WaitForExitAsync();
            Assert.That(sample.ExitCode, Is.Zero, await errors);
        }

        string config = Path.Combine(data, "ivc.json");
        IvcResult stats = await IvcProcess.RunAsync(folder.Path, "stats", "--config", config);
        IvcResult entries = await IvcProcess.RunAsync(folder.Path, "entries", "--config", config);
        IvcResult evict = await IvcProcess.RunAsync(folder.Path, "evict", "--image", "demo-image", "--config", config);
        IvcResult after = await IvcProcess.RunAsync(folder.Path, "entries", "--config", config);

        Assert.That(stats.ExitCode, Is.Zero, stats.ToString());
        Assert.That(stats.Lines[1].Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()), Is.EqualTo(new[] { "host1@fs", "host1@fs", "yes", "1", "5", "1", "50", "no" }), "the sample's limits from its appsettings.json");
        Assert.That(entries.ExitCode, Is.Zero, entries.ToString());
        Assert.That(entries.Lines, Has.Length.EqualTo(2));
        Assert.That(entries.Lines[1], Does.Contain("demo-image"));
        Assert.That(evict.ExitCode, Is.Zero, evict.ToString());
        Assert.That(after.Output.Trim(), Is.EqualTo("No cache entries."));
        Assert.That(Directory.GetFiles(Path.Combine(data, "volumes"), "*.img"), Is.Empty, "the sample deleted its volumes and ivc the cache volume");
    }
}
