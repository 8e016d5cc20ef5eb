using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// One of two processes sharing a backend folder and a database file (a <see cref="CrashHost"/> with one cache entry at
/// most): waits for a start file, then makes volumes from the given images in random order on two lanes at once. For each
/// request it prints "ok &lt;volume&gt; &lt;image&gt; &lt;path&gt;" when the volume's first bytes are the image's, "wrong ..."
/// when they are not, or "fail &lt;volume&gt; &lt;image&gt; &lt;exception&gt;"; then it deletes the user's volume again, as
/// its host would once the test is done with it.
/// </summary>
internal static class ShareCommand
{
    private const int Lanes = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string volumes, string images, string database, string name, string requestsText, string seedText, string startFile, _, ..]
            || !int.TryParse(requestsText, out int requests) || !int.TryParse(seedText, out int seed))
        {
            Console.Error.WriteLine("usage: share <volumes-dir> <images-dir> <database> <name> <requests> <seed> <start-file> <image-id>...");
            return 2;
        }

        string[] imageIds = args[7..];
        FileSystemVolumeDriver? driver = null;
        await using ServiceProvider services = CrashHost.Build(volumes, images, database, inner => driver = (FileSystemVolumeDriver)inner, maxCount: 1);
        await CrashHost.StartAsync(services);
        Dictionary<string, byte[]> prefixes = await ReadPrefixesAsync(services, imageIds);
        Console.WriteLine("ready");
        while (!File.Exists(startFile))
        {
            await Task.Delay(1);
        }

        var output = new object();
        int next = -1;
        async Task LaneAsync(int lane)
        {
            var random = new Random(seed + lane);
            for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                string target = $"{CrashHost.TargetPrefix}{name}-{i}";
                string image = imageIds[random.Next(imageIds.Length)];
                string line;
                try
                {
                    CreateVolumeFromImageResult result = await CrashHost.CreateAsync(services, target, image, random.Next(4) == 0 ? 2 : 1);
                    line = ImagePrefix.Matches(driver!.GetVolumePath(target), prefixes[image]) ? $"ok {target} {image} {result.Path}" : $"wrong {target} {image} {result.Path}";
                    await driver!.DeleteVolumeAsync(target, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    line = $"fail {target} {image} {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}";
                }

                lock (output)
                {
                    Console.WriteLine(line);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane => Task.Run(() => LaneAsync(lane))));
        return 0;
    }

    private static async Task<Dictionary<string, byte[]>> ReadPrefixesAsync(IServiceProvider services, string[] imageIds)
    {
        var prefixes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string id in imageIds)
        {
            prefixes[id] = await ImagePrefix.ReadAsync(services, id);
        }

        return prefixes;
    }
}
