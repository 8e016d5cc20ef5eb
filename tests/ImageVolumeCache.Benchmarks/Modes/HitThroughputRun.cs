using System.Diagnostics;
using System.Globalization;
using ImageVolumeCache.Benchmarks.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Benchmarks.Modes;

/// <summary>
/// Hits per second with 1, 2, 8 and 64 concurrent requests on each entry store (in-memory, SQLite on a file, PostgreSQL
/// when IMAGEVOLUMECACHE_POSTGRES names a server), on the no-op driver, so that what is measured is the library's hit
/// path and the store. Each level runs for a fixed time after a warm-up, all levels of a store in one process, side by
/// side; the table ends with the ratios the Performance issue sets targets for: 2 against 1 (does a second core help?)
/// and 64 against 2 (does contention cost?). Every worker yields before each request, so that all of them are in flight
/// together on the thread pool, as a host's concurrent requests are.
/// </summary>
public static class HitThroughputRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        double seconds = double.Parse(Option(args, "--seconds", "2"), CultureInfo.InvariantCulture);
        int[] levels = [.. Option(args, "--concurrency", "1,2,8,64").Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture))];
        var stores = new List<string> { "in-memory", "SQLite" };
        string? postgres = Environment.GetEnvironmentVariable("IMAGEVOLUMECACHE_POSTGRES");
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            stores.Add("PostgreSQL");
        }

        Console.WriteLine($"# hits per second on the no-op driver, {seconds:F1} s per level after a {seconds / 4:F1} s warm-up, {Environment.ProcessorCount} CPU(s)");
        Console.WriteLine();
        Console.WriteLine("| store | " + string.Join(" | ", levels.Select(l => $"{l} concurrent")) + " | 2 vs 1 | 64 vs 2 |");
        Console.WriteLine("|---|" + string.Concat(levels.Select(_ => "---:|")) + "---:|---:|");
        foreach (string store in stores)
        {
            double[] rates = await MeasureStoreAsync(store, levels, seconds).ConfigureAwait(false);
            string Ratio(int a, int b) => Array.IndexOf(levels, a) is int i and >= 0 && Array.IndexOf(levels, b) is int j and >= 0
                ? (rates[i] / rates[j]).ToString("F2", CultureInfo.InvariantCulture) + "×"
                : "-";
            Console.WriteLine($"| {store} | " + string.Join(" | ", rates.Select(Format)) + $" | {Ratio(2, 1)} | {Ratio(64, 2)} |");
        }

        return 0;
    }

    private static async Task<double[]> MeasureStoreAsync(string store, int[] levels, double seconds)
    {
        var image = new ImageInfo("image-1", 0, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var benchmarkStore = new BenchmarkStore(store, "hits");
        await using ServiceProvider services = BenchmarkHost.Build(new NoOpVolumeDriver(), new NoOpImageService(image), NoOpNotifier.Instance, benchmarkStore.Configure);
        foreach (Microsoft.Extensions.Hosting.IHostedService hosted in services.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var pipeline = services.GetRequiredService<CreateFromImagePipeline>();
        CreateVolumeFromImageResult first = await pipeline.CreateAsync(Request(image, -1), CancellationToken.None).ConfigureAwait(false);
        if (first.Path != CreateFromImagePath.CacheMissCreated)
        {
            throw new InvalidOperationException($"The first request took {first.Path}, not a miss that makes the entry.");
        }

        var rates = new double[levels.Length];
        for (int i = 0; i < levels.Length; i++)
        {
            await RunLevelAsync(pipeline, image, levels[i], TimeSpan.FromSeconds(seconds / 4)).ConfigureAwait(false);
            rates[i] = await RunLevelAsync(pipeline, image, levels[i], TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        }

        return rates;
    }

    /// <summary>Runs <paramref name="concurrency"/> request loops for <paramref name="duration"/>; returns hits per second.</summary>
    private static async Task<double> RunLevelAsync(CreateFromImagePipeline pipeline, ImageInfo image, int concurrency, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource();
        var counts = new long[concurrency];
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task[] workers = [.. Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            CreateVolumeFromImageRequest request = Request(image, w);
            await started.Task.ConfigureAwait(false);
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                // A hit on the in-memory store completes synchronously; without a yield a worker would keep its thread
                // and the others would wait in the pool's queue, so "64 concurrent" would measure as many as there are
                // threads. Yielding puts every request in flight at once, as a host's requests are.
                await Task.Yield();
                CreateVolumeFromImageResult result = await pipeline.CreateAsync(request, CancellationToken.None).ConfigureAwait(false);
                if (result.Path != CreateFromImagePath.CacheHit)
                {
                    throw new InvalidOperationException($"A measured request took {result.Path}, not a hit.");
                }

                done++;
            }

            counts[w] = done;
        }))];
        var clock = Stopwatch.StartNew();
        started.SetResult();
        stop.CancelAfter(duration);
        await Task.WhenAll(workers).ConfigureAwait(false);
        clock.Stop();
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }

    private static CreateVolumeFromImageRequest Request(ImageInfo image, int worker) =>
        new(new RequestContext("project", "user"), new VolumeSpec($"volume-{worker}", BenchmarkHost.Backend + "#pool", 1), image.Id);

    private static string Format(double rate) => rate >= 1e6
        ? (rate / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M"
        : (rate / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " k";

    private static string Option(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
