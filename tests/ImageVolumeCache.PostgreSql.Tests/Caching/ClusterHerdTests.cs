using System.Diagnostics;
using System.Globalization;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.PostgreSql.Tests.Support;
using ImageVolumeCache.Sqlite.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.PostgreSql.Tests.Caching;

/// <summary>
/// Three real processes (the test host's "herd" and "share" commands), each a host of one cluster with a backend of its
/// own name, over one PostgreSQL schema and one file-system backend directory: asking for one uncached image at the same
/// moment; and evicting each other's entries under a cache of one entry.
/// </summary>
public sealed class ClusterHerdTests
{
    private const string Cluster = "cluster1@fs";
    private const string ImageId = "image-a";
    private const int RequestsPerHost = 32;

    [Test]
    public async Task Three_hosts_of_a_cluster_asking_for_one_uncached_image_at_once_download_it_once_and_clone_it_everywhere()
    {
        string connection = PostgresServer.Require();
        string schema = PostgresServer.NewSchemaName();
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        string start = folder.Combine("start");
        byte[] data = new byte[96 << 10];
        new Random(11).NextBytes(data);
        await new FolderImageService(images).AddImageAsync(new FolderImage(ImageId, "owner-project"), new MemoryStream(data), CancellationToken.None);
        string store = $"{CrashHost.PostgresStorePrefix}{schema}:{connection}";
        Process[] hosts = [.. new[] { "h1", "h2", "h3" }.Select(name => ChildProcess.Start(
            ["herd", volumes, images, store, name, ChildProcess.Number(RequestsPerHost), start, ImageId, $"{name}@fs", Cluster]))];
        try
        {
            foreach (Process host in hosts)
            {
                Assert.That(await host.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), await ErrorsAsync(host));
            }

            await File.WriteAllTextAsync(start, "go");
            string[] lines = [.. (await Task.WhenAll(hosts.Select(LinesAsync))).SelectMany(l => l)];
            foreach (Process host in hosts)
            {
                if (await ErrorsAsync(host) is { Length: > 0 } warnings)
                {
                    await TestContext.Out.WriteLineAsync($"host {host.Id} logged:\n{warnings}");
                }
            }

            int downloads = lines.Where(l => l.StartsWith("downloads ", StringComparison.Ordinal)).Sum(l => int.Parse(l["downloads ".Length..], CultureInfo.InvariantCulture));
            string[] requests = [.. lines.Where(l => !l.StartsWith("downloads ", StringComparison.Ordinal))];
            await TestContext.Out.WriteLineAsync($"{requests.Length} requests, {downloads} download(s); paths: " +
                string.Join(", ", requests.GroupBy(l => l.Split(' ')[^1]).Select(g => $"{g.Key} {g.Count()}")));
            Assert.That(requests.Where(l => !l.StartsWith("ok ", StringComparison.Ordinal)), Is.Empty, "failed requests and clones with wrong bytes");
            Assert.That(requests, Has.Length.EqualTo(3 * RequestsPerHost));
            Assert.That(downloads, Is.EqualTo(1), "one download for the three hosts");
            Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM \"{schema}\".cache_entries"), Is.EqualTo(1L));

            // An eviction on host A; the next request on host B is a miss that fills the cache again.
            await using ServiceProvider hostA = CrashHost.Build(volumes, images, store, maxCount: 0, backend: "h1@fs", cluster: Cluster);
            await using ServiceProvider hostB = CrashHost.Build(volumes, images, store, maxCount: 0, backend: "h2@fs", cluster: Cluster);
            IImageVolumeCache cacheA = hostA.GetRequiredService<IImageVolumeCache>();
            ImageCacheEntry evicted = (await cacheA.ListAsync(null, CancellationToken.None)).Single();
            Assert.That(await cacheA.EvictAsync(evicted, CancellationToken.None), Is.True);
            Assert.That(File.Exists(Path.Combine(volumes, evicted.VolumeId + ".img")), Is.False, "host A deleted the cache volume");

            CreateVolumeFromImageResult refill = await CrashHost.CreateAsync(hostB, "target-after-eviction", ImageId, 1, "h2@fs", Cluster);

            Assert.That(refill.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
            ImageCacheEntry refilled = (await hostB.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None)).Single();
            Assert.That(refilled.VolumeId, Is.Not.EqualTo(evicted.VolumeId));
            Assert.That(refilled.Host, Is.EqualTo("h2@fs"));
        }
        finally
        {
            foreach (Process host in hosts)
            {
                host.Dispose();
            }

            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Test]
    public async Task Three_hosts_evicting_each_others_entries_fail_no_request_leak_no_volume_clone_the_right_bytes_and_never_exceed_the_limit()
    {
        const int RequestsPerHost = 400;
        string[] imageIds = ["image-a", "image-b", "image-c"];
        string connection = PostgresServer.Require();
        string schema = PostgresServer.NewSchemaName();
        int seed = Random.Shared.Next();
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        var random = new Random(seed);
        foreach (string id in imageIds)
        {
            byte[] data = new byte[(64 + random.Next(64)) << 10];
            random.NextBytes(data);
            await new FolderImageService(images).AddImageAsync(new FolderImage(id, "owner-project"), new MemoryStream(data), CancellationToken.None);
        }

        string store = $"{CrashHost.PostgresStorePrefix}{schema}:{connection}";
        try
        {
            (string[] lines, int most, long looks) = await SharedCacheRun.RunAsync(
                volumes, images, store, [("h1", "h1@fs", Cluster), ("h2", "h2@fs", Cluster), ("h3", "h3@fs", Cluster)], RequestsPerHost, seed, imageIds);

            await TestContext.Out.WriteLineAsync($"seed {seed}: {lines.Length} requests; at most {most} cache volume(s) in {looks} looks; paths: " +
                string.Join(", ", lines.Where(l => l.StartsWith("ok ", StringComparison.Ordinal)).GroupBy(l => l.Split(' ')[3]).Select(g => $"{g.Key} {g.Count()}")));
            Assert.That(lines.Where(l => !l.StartsWith("ok ", StringComparison.Ordinal)), Is.Empty, "failed requests and clones with wrong bytes");
            Assert.That(lines, Has.Length.EqualTo(3 * RequestsPerHost));
            Assert.That(most, Is.LessThanOrEqualTo(1), "cache volumes at one instant, with MaxCount 1");

            // The hosts have exited; a member of the cluster reconciles, and then every file left is a cache volume with an entry.
            await using ServiceProvider host = CrashHost.Build(volumes, images, store, maxCount: 1, backend: "h1@fs", cluster: Cluster);
            await CrashHost.StartAsync(host);
            IReadOnlyList<BackendVolume> left = await new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = "h1@fs", Directory = volumes }).ListVolumesAsync(CancellationToken.None);
            IReadOnlyList<ImageCacheEntry> entries = await host.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None);
            Assert.That(left.Select(v => v.Spec.Id), Is.EquivalentTo(entries.Select(e => e.VolumeId)), "no leaked volume");
            Assert.That(entries, Has.Count.LessThanOrEqualTo(1));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    private static Task<string[]> LinesAsync(Process child) => ChildProcess.LinesAsync(child, TimeSpan.FromMinutes(3));

    private static Task<string> ErrorsAsync(Process child) => ChildProcess.ErrorsAsync(child);
}
