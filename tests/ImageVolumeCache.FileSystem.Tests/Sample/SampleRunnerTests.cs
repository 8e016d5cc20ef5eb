using ImageVolumeCache.FileSystem.Tests.Support;
using ImageVolumeCache.Sample;

namespace ImageVolumeCache.FileSystem.Tests.Sample;

/// <summary>The sample's main path, end to end on real files with a small image.</summary>
public sealed class SampleRunnerTests
{
    [Test]
    public async Task The_sample_shows_one_miss_then_hits_and_exits_with_0()
    {
        using var data = new TemporaryDirectory();
        using var output = new StringWriter();

        int exitCode = await SampleRunner.RunAsync(
            ["--image-size-mb", "8", "--data-dir", data.Path, "--volumes", "3"], output, interactive: false, CancellationToken.None);

        string text = output.ToString();
        var paths = text.Split('\n').Where(l => l.TrimStart().StartsWith("path ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(','));
        Assert.That(exitCode, Is.EqualTo(0), text);
        Assert.That(paths, Is.EqualTo(new[] { "CacheMissCreated", "CacheHit", "CacheHit" }), text);
        Assert.That(text, Does.Contain("notifications: 2 hit, 1 miss, 0 evict").And.Contain("hits are"));
        Assert.That(Directory.EnumerateFiles(Path.Combine(data.Path, "volumes")), Is.Empty, "the sample deletes its volumes unless asked to keep them");
    }

    [Test]
    public async Task The_sample_refuses_fewer_than_two_volumes()
    {
        using var data = new TemporaryDirectory();
        using var output = new StringWriter();

        int exitCode = await SampleRunner.RunAsync(["--data-dir", data.Path, "--volumes", "1"], output, interactive: false, CancellationToken.None);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(output.ToString(), Does.Contain("--volumes"));
    }
}
