namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// A host that takes the fill lease of an uncached image and never finishes the fill: it makes the cache volume, prints
/// "filling &lt;volume&gt;", and waits inside the image copy until it is killed. Its fill leases last 2 seconds and are
/// renewed while it lives, so that once it is killed another host takes the lease over within about 2 seconds.
/// </summary>
public static class HoldCommand
{
    /// <summary>How long the holder's fill leases last.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string volumes, string images, string store, string imageId, string backend, string cluster])
        {
            Console.Error.WriteLine("usage: hold <volumes-dir> <images-dir> <store> <image-id> <backend> <cluster>");
            return 2;
        }

        await using var services = CrashHost.Build(
            volumes, images, store, inner => new StuckCopyDriver(inner), maxCount: 0, backend, cluster, fillLeaseDuration: LeaseDuration);
        await CrashHost.StartAsync(services);
        Console.WriteLine("ready");
        await CrashHost.CreateAsync(services, $"{CrashHost.TargetPrefix}held", imageId, 1, backend, cluster);
        Console.Error.WriteLine("the fill ended, but it should have hung until the process was killed");
        return 1;
    }

    /// <summary>Announces each image copy and never ends it.</summary>
    private sealed class StuckCopyDriver(IVolumeDriver inner) : ForwardingDriver(inner)
    {
        public override async ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
        {
            Console.WriteLine($"filling {volumeId}");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
