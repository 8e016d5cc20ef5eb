using ImageVolumeCache.Glance.Tests.Support;

namespace ImageVolumeCache.Glance.Tests;

/// <summary>One nginx per test class, with a shelf to publish images on.</summary>
public abstract class NginxFixture
{
    internal NginxServer Nginx { get; private set; } = null!;

    internal GlanceShelf Shelf { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartNginx()
    {
        Nginx = NginxServer.Start();
        Shelf = new GlanceShelf(Nginx);
    }

    [OneTimeTearDown]
    public void StopNginx() => Nginx?.Dispose();
}
