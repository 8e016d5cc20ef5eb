namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// A host that converts an uncached image with qemu-img throttled to 1 MiB/s, so that it is still converting when the
/// test kills it: it prints "ready", then makes its volume (which takes about a second per MiB of the image's data).
/// Its leases last 2 seconds, so that the next host does not wait long for them to run out.
/// </summary>
public static class ConvertCommand
{
    /// <summary>How long the converting host's leases last.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string volumes, string images, string store, string scratch, string imageId])
        {
            Console.Error.WriteLine("usage: convert <volumes-dir> <images-dir> <store> <scratch-dir> <image-id>");
            return 2;
        }

        await using var services = CrashHost.Build(
            volumes,
            images,
            store,
            maxCount: 0,
            fillLeaseDuration: LeaseDuration,
            configure: options =>
            {
                options.Conversion.ScratchDirectory = scratch;
                options.Conversion.RateLimitBytesPerSecond = 1 << 20;
            });
        await CrashHost.StartAsync(services);
        Console.WriteLine("ready");
        await CrashHost.CreateAsync(services, $"{CrashHost.TargetPrefix}converted", imageId, 1);
        Console.WriteLine("done");
        return 0;
    }
}
