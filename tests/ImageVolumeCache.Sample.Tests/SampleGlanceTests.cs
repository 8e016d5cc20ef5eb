namespace ImageVolumeCache.Sample.Tests;

/// <summary>
/// <c>--glance</c>: the sample takes its image from the real Glance API server named by <c>IMAGEVOLUMECACHE_GLANCE</c>
/// (eng/glance.sh, as .ci/run starts it), as the demo project. Without the variable the tests are ignored, except under
/// <c>CI=true</c>, where they fail.
/// </summary>
public sealed class SampleGlanceTests
{
    [Test]
    public async Task With_glance_the_volumes_are_made_from_the_glance_image_a_miss_then_hits()
    {
        using RealGlance glance = RealGlance.Connect();
        string imageId = await glance.CreatePrivateImageAsync(new RequestContext("demo-project", "demo-user"), Data());
        using var home = new TemporaryDirectory();

        SampleProcessResult run = await SampleProcess.RunAsync(
            home.Path, "--data-dir", home.Combine("data"), "--glance", glance.Endpoint.AbsoluteUri, "--glance-image", imageId, "--volumes", "2");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Does.Contain($"Image {imageId}: from Glance at {glance.Endpoint.AbsoluteUri}").And.Contain("sha512"), run.ToString());
        Assert.That(run.Output, Does.Contain("CacheMissCreated").And.Contain("CacheHit"), run.ToString());
    }

    [Test]
    public async Task A_private_glance_image_of_another_project_is_not_found_and_nothing_is_made()
    {
        using RealGlance glance = RealGlance.Connect();
        string imageId = await glance.CreatePrivateImageAsync(new RequestContext("other-project", "other-user"), Data());
        using var home = new TemporaryDirectory();

        SampleProcessResult run = await SampleProcess.RunAsync(
            home.Path, "--data-dir", home.Combine("data"), "--glance", glance.Endpoint.AbsoluteUri, "--glance-image", imageId);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.ErrorLines, Is.EqualTo(new[] { $"The sample failed: Image '{imageId}' was not found." }), run.ToString());
        Assert.That(Directory.EnumerateFiles(home.Combine("data/volumes")), Is.Empty);
    }

    private static byte[] Data()
    {
        byte[] data = new byte[2 << 20];
        new Random(11).NextBytes(data);
        return data;
    }
}
