using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// One of several processes sharing a backend folder and a store (a <see cref="CrashHost"/> with one cache entry at
/// most; a SQLite file, or a PostgreSQL schema for the hosts of one cluster, each with a backend of its own name over the
/// folder): waits for a start file, then makes volumes from the given images in random order on two lanes at once. For each
/// request it prints "ok &lt;volume&gt; &lt;image&gt; &lt;path&gt; &lt;unix-ms&gt;" when the volume's first bytes are the
/// image's, "wrong ..." when they are not, or "fail &lt;volume&gt; &lt;image&gt; &lt;exception&gt;"; then it deletes the user's
/// volume again, as its host would once the test is done with it. Given <c>until=&lt;file&gt;</c> instead of a number of
/// requests, it goes on until that file exists, with fill leases of 5 seconds (so that a lease whose release an outage of
/// the store swallowed runs out soon).
/// </summary>
internal static class ShareCommand
{
    private const int Lanes = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string volumes, string images, string store, string name, string requestsText, string seedText, string startFile, string backend, string clusterText, _, ..]
            || !TryParseRequests(requestsText, out int requests, out string? stopFile) || !int.TryParse(seedText, out int seed))
        {
            Console.Error.WriteLine("usage: share <volumes-dir> <images-dir> <store> <name> <requests|until=<stop-file>> <seed> <start-file> <backend> <cluster|-> <image-id>...");
            return 2;
        }

        string[] imageIds = args[9..];
        string? cluster = clusterText == "-" ? null : clusterText;
        FileSystemVolumeDriver? driver = null;
        await using ServiceProvider services = CrashHost.Build(
            volumes, images, store, inner => driver = (FileSystemVolumeDriver)inner, maxCount: 1, backend, cluster, stopFile is null ? null : TimeSpan.FromSeconds(5));
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
            for (int i = Interlocked.Increment(ref next); stopFile is null ? i < requests : !File.Exists(stopFile); i = Interlocked.Increment(ref next))
            {
                string target = $"{CrashHost.TargetPrefix}{name}-{i}";
                string image = imageIds[random.Next(imageIds.Length)];
                string line;
                try
                {
                    CreateVolumeFromImageResult result = await CrashHost.CreateAsync(services, target, image, random.Next(4) == 0 ? 2 : 1, backend, cluster);
                    line = ImagePrefix.Matches(driver!.GetVolumePath(target), prefixes[image]) ? $"ok {target} {image} {result.Path} {Now()}" : $"wrong {target} {image} {result.Path} {Now()}";
                    await driver!.DeleteVolumeAsync(target, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    line = $"fail {target} {image} {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")} {Now()}";
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

    private static bool TryParseRequests(string text, out int requests, out string? stopFile)
    {
        stopFile = text.StartsWith("until=", StringComparison.Ordinal) ? text["until=".Length..] : null;
        requests = 0;
        return stopFile is { Length: > 0 } || int.TryParse(text, out requests);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

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
