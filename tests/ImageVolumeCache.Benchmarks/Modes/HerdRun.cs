using System.Diagnostics;
using System.Globalization;
using ImageVolumeCache.Benchmarks.Support;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Benchmarks.Modes;

/// <summary>
/// The thundering herd: many concurrent requests for one image that is not cached yet, on a driver whose image copy takes
/// a fixed time. Prints the wall time and how many downloads, cache entries and clones the requests caused; the target
/// is exactly one download and one entry, and one clone per request.
/// </summary>
public static class HerdRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int requests = IntOption(args, "--requests", 256);
        int delayMs = IntOption(args, "--delay-ms", 200);

        var driver = new InMemoryVolumeDriver
        {
            // Only the copy of image data waits, as a real download does; the other driver calls are instant.
            Delay = (call, ct) => call.Operation == DriverOperation.CopyImage ? new ValueTask(Task.Delay(delayMs, ct)) : default,
        };
        var images = new InMemoryImageService();
        ImageInfo image = images.Add("herd-image", new byte[64 * 1024]);
        await using ServiceProvider services = BenchmarkHost.Build(driver, images, NoOpNotifier.Instance);
        var pipeline = services.GetRequiredService<CreateFromImagePipeline>();
        var cache = services.GetRequiredService<IImageVolumeCache>();
        var requester = new RequestContext("project", "user");

        var clock = Stopwatch.StartNew();
        Task<CreateVolumeFromImageResult>[] running = [.. Enumerable.Range(0, requests).Select(i => Task.Run(() =>
            pipeline.CreateAsync(
                new CreateVolumeFromImageRequest(requester, new VolumeSpec($"volume-{i}", BenchmarkHost.Backend + "#pool", 1), image.Id),
                CancellationToken.None).AsTask()))];
        CreateVolumeFromImageResult[] results = await Task.WhenAll(running).ConfigureAwait(false);
        clock.Stop();

        int downloads = images.DownloadCount;
        int entries = (await cache.ListAsync(null, CancellationToken.None).ConfigureAwait(false)).Count;
        int clones = driver.CountOf(DriverOperation.Clone);
        int copies = driver.CountOf(DriverOperation.CopyImage);
        bool met = downloads == 1 && entries == 1 && clones == requests;

        Console.WriteLine($"# herd: {requests} concurrent requests for one uncached image, image copy {delayMs} ms, {Environment.ProcessorCount} CPU(s)");
        Console.WriteLine();
        Console.WriteLine("| requests | wall time ms | downloads | image copies | cache entries | clones | paths |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|");
        string paths = string.Join(", ", results.GroupBy(r => r.Path).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {requests} | {clock.Elapsed.TotalMilliseconds:F0} | {downloads} | {copies} | {entries} | {clones} | {paths} |"));
        Console.WriteLine();
        Console.WriteLine(met
            ? $"# target met: 1 download, 1 cache entry, {requests} clones"
            : $"# target missed: expected 1 download, 1 cache entry and {requests} clones; got {Count(downloads, "download")}, {Count(entries, "cache entry", "cache entries")}, {Count(clones, "clone")}");
        return 0;
    }

    private static string Count(int n, string one, string? many = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many ?? one + "s")}");

    private static int IntOption(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
