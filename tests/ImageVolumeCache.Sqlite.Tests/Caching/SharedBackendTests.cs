using System.Diagnostics;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Sqlite.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sqlite.Tests.Caching;

/// <summary>
/// Real processes (the TestHost child) sharing one file-system backend and one SQLite file: two with a cache of one entry
/// and three images, so that each keeps evicting the entries the other clones from ("share" command); three asking for
/// one uncached image at the same moment ("herd" command).
/// </summary>
public sealed class SharedBackendTests
{
    private const int RequestsPerProcess = 400;
    private static readonly (string Id, int SizeKb)[] Images = [("image-a", 64), ("image-b", 96), ("image-c", 128)];

    [Test]
    public async Task Two_processes_sharing_a_backend_and_a_store_fail_no_request_leak_no_volume_clone_the_right_bytes_and_never_exceed_the_limit()
    {
        int seed = Random.Shared.Next();
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        string database = folder.Combine("cache.db");
        await AddImagesAsync(images, new Random(seed));

        (string[] lines, int most, long looks) = await SharedCacheRun.RunAsync(
            volumes, images, database, [("p1", CrashHost.Backend, null), ("p2", CrashHost.Backend, null)], RequestsPerProcess, seed, [.. Images.Select(i => i.Id)]);

        await TestContext.Out.WriteLineAsync($"seed {seed}: {lines.Length} requests; at most {most} cache volume(s) in {looks} looks; paths: " +
            string.Join(", ", lines.Where(l => l.StartsWith("ok ", StringComparison.Ordinal)).GroupBy(l => l.Split(' ')[3]).Select(g => $"{g.Key} {g.Count()}")));
        Assert.That(lines.Where(l => !l.StartsWith("ok ", StringComparison.Ordinal)), Is.Empty, "failed requests and clones with wrong bytes");
        Assert.That(lines, Has.Length.EqualTo(2 * RequestsPerProcess));
        Assert.That(most, Is.LessThanOrEqualTo(1), "cache volumes at one instant, with MaxCount 1");
        Assert.That(lines.Count(l => l.Split(' ')[3] is "CacheHit" or "CacheMissCreated"), Is.GreaterThan(0), "the cache was used");

        // Both processes have exited; a host restarted on the same folders reconciles, and then every file left is a
        // cache volume with an entry.
        await using ServiceProvider host = CrashHost.Build(volumes, images, database, maxCount: 1);
        await CrashHost.StartAsync(host);
        var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = CrashHost.Backend, Directory = volumes });
        IReadOnlyList<BackendVolume> left = await driver.ListVolumesAsync(CancellationToken.None);
        IReadOnlyList<ImageCacheEntry> entries = await host.GetRequiredService<ICacheEntryStore>().ListAsync(null, CancellationToken.None);
        Assert.That(left.Select(v => v.Spec.Id), Is.EquivalentTo(entries.Select(e => e.VolumeId)), "no leaked volume");
        Assert.That(entries, Has.Count.LessThanOrEqualTo(1));
        Assert.That(Directory.GetFiles(volumes).Select(Path.GetFileName).Where(f => !f!.EndsWith(".img", StringComparison.Ordinal) && !f.EndsWith(".json", StringComparison.Ordinal)), Is.Empty, "no leftover files");
    }

    [Test]
    public async Task Three_processes_asking_for_one_uncached_image_at_once_download_it_once_and_clone_it_everywhere()
    {
        const int RequestsPerHerd = 32;
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        string database = folder.Combine("cache.db");
        string start = folder.Combine("start");
        await AddImagesAsync(images, new Random(7));
        Process[] herd = [.. new[] { "h1", "h2", "h3" }.Select(name => ChildProcess.Start(
            ["herd", volumes, images, database, name, ChildProcess.Number(RequestsPerHerd), start, Images[0].Id]))];
        try
        {
            foreach (Process child in herd)
            {
                Assert.That(await child.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), await ErrorsAsync(child));
            }

            await File.WriteAllTextAsync(start, "go");
            string[] lines = [.. (await Task.WhenAll(herd.Select(LinesAsync))).SelectMany(l => l)];

            int downloads = lines.Where(l => l.StartsWith("downloads ", StringComparison.Ordinal)).Sum(l => int.Parse(l["downloads ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            string[] requests = [.. lines.Where(l => !l.StartsWith("downloads ", StringComparison.Ordinal))];
            await TestContext.Out.WriteLineAsync($"{requests.Length} requests, {downloads} download(s); paths: " +
                string.Join(", ", requests.GroupBy(l => l.Split(' ')[^1]).Select(g => $"{g.Key} {g.Count()}")));
            Assert.That(requests.Where(l => !l.StartsWith("ok ", StringComparison.Ordinal)), Is.Empty, "failed requests and clones with wrong bytes");
            Assert.That(requests, Has.Length.EqualTo(3 * RequestsPerHerd));
            Assert.That(downloads, Is.EqualTo(1), "one download for the three processes");
            using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = database });
            Assert.That(await store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
        }
        finally
        {
            foreach (Process child in herd)
            {
                child.Dispose();
            }
        }
    }

    private static Task<string[]> LinesAsync(Process child) => ChildProcess.LinesAsync(child, TimeSpan.FromMinutes(5));

    private static Task<string> ErrorsAsync(Process child) => ChildProcess.ErrorsAsync(child);

    private static async Task AddImagesAsync(string folder, Random random)
    {
        var service = new FolderImageService(folder);
        foreach ((string id, int sizeKb) in Images)
        {
            byte[] data = new byte[sizeKb << 10];
            random.NextBytes(data);
            await service.AddImageAsync(new FolderImage(id, "owner-project"), new MemoryStream(data), CancellationToken.None);
        }
    }
}
