using System.Globalization;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.PostgreSql.Tests.Support;
using ImageVolumeCache.Sqlite.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.PostgreSql.Tests.Caching;

/// <summary>
/// Three hosts of a cluster (real processes, the test host's "share" command) keep making volumes from three images
/// with a cache of one entry while their PostgreSQL server is stopped for 5 seconds and started again.
/// </summary>
public sealed class StoreOutageTests
{
    private const string Cluster = "cluster1@fs";

    [Test]
    public async Task Three_hosts_through_a_five_second_outage_of_the_database_fail_only_with_store_errors_leak_nothing_and_cache_again()
    {
        PostgresServer.Require();
        string[] imageIds = ["image-a", "image-b", "image-c"];
        int seed = Random.Shared.Next();
        using var folder = new TemporaryDirectory();
        await using ThrowawayServer server = await ThrowawayServer.StartAsync(folder.Combine("postgres.state"));
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        var random = new Random(seed);
        foreach (string id in imageIds)
        {
            byte[] data = new byte[(64 + random.Next(64)) << 10];
            random.NextBytes(data);
            await new FolderImageService(images).AddImageAsync(new FolderImage(id, "owner-project"), new MemoryStream(data), CancellationToken.None);
        }

        string store = $"{CrashHost.PostgresStorePrefix}ivc_outage:{server.ConnectionString}";
        long down = 0, up = 0;
        (string[] lines, int most, _) = await SharedCacheRun.RunAsync(
            volumes, images, store, [("h1", "h1@fs", Cluster), ("h2", "h2@fs", Cluster), ("h3", "h3@fs", Cluster)], 0, seed, imageIds, during: async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                await server.DownAsync();
                down = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                await Task.Delay(TimeSpan.FromSeconds(5));
                await server.UpAsync();
                up = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

                // Longer than a fill lease of the hosts (5 s), so that a lease whose release the outage swallowed has run out.
                await Task.Delay(TimeSpan.FromSeconds(12));
            });

        string[] failed = [.. lines.Where(l => !l.StartsWith("ok ", StringComparison.Ordinal))];
        string[] cachedAfter = [.. lines.Where(l => l.StartsWith("ok ", StringComparison.Ordinal) && At(l) > up + 6_000 && IsCached(l))];
        await TestContext.Out.WriteLineAsync($"seed {seed}: {lines.Length} requests, {failed.Length} failed, {lines.Count(l => At(l) >= down && At(l) <= up)} ended during the outage; " +
            $"{cachedAfter.Length} served from the cache from 6 s after it; at most {most} cache volume(s) at once");
        Assert.That(failed.Where(l => !l.Contains(" CacheEntryStoreException: ", StringComparison.Ordinal)), Is.Empty, "requests that failed otherwise than with a store error, or cloned wrong bytes");
        Assert.That(lines.Count(l => At(l) >= down && At(l) <= up), Is.GreaterThan(0), "requests went on during the outage");
        Assert.That(cachedAfter, Is.Not.Empty, "caching resumed after the outage");
        Assert.That(most, Is.LessThanOrEqualTo(1), "cache volumes at one instant, with MaxCount 1");

        // The hosts have exited; a member of the cluster reconciles: every file left is a cache volume with an entry,
        // and the store holds no two entries of one image.
        await using ServiceProvider host = CrashHost.Build(volumes, images, store, maxCount: 1, backend: "h1@fs", cluster: Cluster);
        await CrashHost.StartAsync(host);
        IReadOnlyList<BackendVolume> left = await new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = "h1@fs", Directory = volumes }).ListVolumesAsync(CancellationToken.None);
        IReadOnlyList<ImageCacheEntry> entries = await host.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None);
        Assert.That(left.Select(v => v.Spec.Id), Is.EquivalentTo(entries.Select(e => e.VolumeId)), "no leaked volume");
        Assert.That(entries.GroupBy(e => (e.ScopeKey, e.ImageId)).Where(g => g.Count() > 1), Is.Empty, "no duplicate entry");
        Assert.That(entries, Has.Count.LessThanOrEqualTo(1));
    }

    /// <summary>When a request's line was printed (its last field, in Unix milliseconds).</summary>
    private static long At(string line) => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);

    private static bool IsCached(string line) =>
        line.Contains(" CacheHit ", StringComparison.Ordinal) || line.Contains(" CacheMissCreated ", StringComparison.Ordinal);
}
