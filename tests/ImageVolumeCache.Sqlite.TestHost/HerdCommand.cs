using ImageVolumeCache.FileSystem;

namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// One of several processes (or hosts of one cluster, given a backend and a cluster) asking for one uncached image at the
/// same moment: waits for a start file, then makes
/// &lt;requests&gt; volumes from the image at once. Prints "ok &lt;volume&gt; &lt;path&gt;" for each volume whose first
/// bytes are the image's ("wrong …" otherwise, "fail …" for a failed request), then "downloads &lt;n&gt;": how many times
/// this process copied image data into a volume.
/// </summary>
internal static class HerdCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string volumes, string images, string store, string name, string requestsText, string startFile, string imageId, ..]
            || !int.TryParse(requestsText, out int requests) || args.Length > 9)
        {
            Console.Error.WriteLine("usage: herd <volumes-dir> <images-dir> <store> <name> <requests> <start-file> <image-id> [<backend> <cluster>]");
            return 2;
        }

        string backend = args.Length == 9 ? args[7] : CrashHost.Backend;
        string? cluster = args.Length == 9 ? args[8] : null;
        CountingDriver? counting = null;
        await using var services = CrashHost.Build(volumes, images, store, inner => counting = new CountingDriver(inner), maxCount: 0, backend, cluster, logWarnings: true);
        await CrashHost.StartAsync(services);
        var driver = (FileSystemVolumeDriver)counting!.Inner;
        byte[] prefix = await ImagePrefix.ReadAsync(services, imageId);
        Console.WriteLine("ready");
        while (!File.Exists(startFile))
        {
            await Task.Delay(1);
        }

        string[] lines = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => Task.Run(async () =>
        {
            string target = $"{CrashHost.TargetPrefix}{name}-{i}";
            try
            {
                CreateVolumeFromImageResult result = await CrashHost.CreateAsync(services, target, imageId, 1, backend, cluster);
                return (ImagePrefix.Matches(driver.GetVolumePath(target), prefix) ? "ok " : "wrong ") + $"{target} {result.Path}";
            }
            catch (Exception ex)
            {
                return $"fail {target} {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}";
            }
        })));

        foreach (string line in lines)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine($"downloads {counting.Copies}");
        return 0;
    }

    /// <summary>Counts the image copies into volumes of another driver.</summary>
    private sealed class CountingDriver(IVolumeDriver inner) : ForwardingDriver(inner)
    {
        private int _copies;

        public int Copies => Volatile.Read(ref _copies);

        public override ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _copies);
            return Inner.CopyImageToVolumeAsync(volumeId, image, data, cancellationToken);
        }
    }
}
