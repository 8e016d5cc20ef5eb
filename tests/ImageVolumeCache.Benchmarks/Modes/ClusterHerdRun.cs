using System.Diagnostics;
using System.Globalization;
using ImageVolumeCache.Benchmarks.Support;
using Npgsql;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Benchmarks.Modes;

/// <summary>
/// The thundering herd across the hosts of a cluster: the same number of concurrent requests for one uncached image,
/// made by one host (in-memory store, then PostgreSQL store) and spread over several hosts of one cluster that share a
/// PostgreSQL schema and one backend (each host a cache of its own with its own backend name, in this process; the image
/// copy takes a fixed time, as a download does). Prints, side by side, the wall time and how many downloads and entries
/// each made; the target is one download and one entry in every set-up.
/// </summary>
public static class ClusterHerdRun
{
    private const string Cluster = "cluster@bench";

    public static async Task<int> RunAsync(string[] args)
    {
        int hosts = IntOption(args, "--hosts", 3);
        int requests = IntOption(args, "--requests", 96);
        int delayMs = IntOption(args, "--delay-ms", 200);
        string? connection = Environment.GetEnvironmentVariable("IMAGEVOLUMECACHE_POSTGRES");
        if (string.IsNullOrWhiteSpace(connection))
        {
            Console.WriteLine("(IMAGEVOLUMECACHE_POSTGRES names no PostgreSQL server: start one with eng/postgres.sh start)");
            return 1;
        }

        Console.WriteLine($"# cluster herd: {requests} concurrent requests for one uncached image, image copy {delayMs} ms, {Environment.ProcessorCount} CPU(s)");
        Console.WriteLine();
        Console.WriteLine("| set-up | hosts | wall time ms | ratio to one host (PostgreSQL) | downloads | cache entries | paths |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        Herd memory = await RunHerdAsync(1, requests, delayMs, null);
        Herd single = await RunHerdAsync(1, requests, delayMs, connection);
        Herd cluster = await RunHerdAsync(hosts, requests, delayMs, connection);
        Print("one host, in-memory store", 1, memory, single);
        Print("one host, PostgreSQL store", 1, single, single);
        Print("hosts of one cluster, PostgreSQL store", hosts, cluster, single);
        Console.WriteLine();
        bool met = new[] { memory, single, cluster }.All(h => h.Downloads == 1 && h.Entries == 1);
        Console.WriteLine(met ? "# target met: 1 download and 1 cache entry in every set-up" : "# target missed: see the downloads and cache entries above");
        return 0;
    }

    private static void Print(string setup, int hosts, Herd herd, Herd reference) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {setup} | {hosts} | {herd.Wall.TotalMilliseconds:F0} | {herd.Wall / reference.Wall:F2} | {herd.Downloads} | {herd.Entries} | {herd.Paths} |"));

    /// <summary>Runs one herd: <paramref name="requests"/> spread round-robin over <paramref name="hostCount"/> hosts.</summary>
    private static async Task<Herd> RunHerdAsync(int hostCount, int requests, int delayMs, string? connection)
    {
        var driver = new InMemoryVolumeDriver
        {
            Delay = (call, ct) => call.Operation == DriverOperation.CopyImage ? new ValueTask(Task.Delay(delayMs, ct)) : default,
        };
        var images = new InMemoryImageService();
        ImageInfo image = images.Add("herd-image", new byte[64 * 1024]);
        string schema = "ivc_bench_herd_" + Guid.NewGuid().ToString("N")[..12];
        ServiceProvider[] hosts = [.. Enumerable.Range(1, hostCount).Select(i => Build($"h{i}@bench", driver, images, connection, schema))];
        try
        {
            // Each host sets up its store before the clock starts (the migration is not part of the herd).
            foreach (ServiceProvider host in hosts)
            {
                await host.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None).ConfigureAwait(false);
            }

            var requester = new RequestContext("project", "user");
            var clock = Stopwatch.StartNew();
            CreateVolumeFromImageResult[] results = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => Task.Run(() =>
            {
                int h = i % hostCount;
                string backend = $"h{h + 1}@bench";
                var volume = new VolumeSpec($"volume-{i}", backend, 1) { Cluster = connection is null ? null : Cluster };
                return hosts[h].GetRequiredService<CreateFromImagePipeline>()
                    .CreateAsync(new CreateVolumeFromImageRequest(requester, volume, image.Id), CancellationToken.None).AsTask();
            }))).ConfigureAwait(false);
            clock.Stop();

            int entries = (await hosts[0].GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None).ConfigureAwait(false)).Count;
            string paths = string.Join(", ", results.GroupBy(r => r.Path).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
            return new Herd(clock.Elapsed, images.DownloadCount, entries, paths);
        }
        finally
        {
            foreach (ServiceProvider host in hosts)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await using var dropping = new NpgsqlConnection(connection);
                await dropping.OpenAsync().ConfigureAwait(false);
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", dropping);
                await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
    }

    private static ServiceProvider Build(string backend, IVolumeDriver driver, IImageService images, string? connection, string schema) =>
        BenchmarkHost.Build(
            driver,
            images,
            NoOpNotifier.Instance,
            builder =>
            {
                if (connection is not null)
                {
                    builder.UsePostgreSqlStore(o =>
                    {
                        o.ConnectionString = connection;
                        o.Schema = schema;
                    });
                }
            },
            backend,
            connection is null ? null : Cluster);

    private static int IntOption(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private readonly record struct Herd(TimeSpan Wall, int Downloads, int Entries, string Paths);
}
