using System.Globalization;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Sqlite.TestHost;
using ImageVolumeCache.Sqlite.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sqlite.Tests.Caching;

/// <summary>
/// A host doing create-from-image on the file-system backend with the SQLite store (the TestHost child, "crash"
/// command) killed with SIGKILL at many points; after each kill a fresh host on the same folders and database file
/// reconciles at start-up, and the cache must be whole again.
/// </summary>
/// <remarks>
/// Reconciliation only touches cache volumes (the internal tenant's, with the cache mark). A user's volume that was
/// half-made when the process died is the host's to clean up through its own records, as Cinder marks such a volume
/// "error": here the test plays that part and deletes every user volume the child asked for, by id, through the driver.
/// What must hold after that is about the cache: every file in the backend folder belongs to a cache volume with an
/// entry, every entry's volume is there with complete data, and the next request for each image works.
/// </remarks>
public sealed class CrashTests
{
    private const int KillPoints = 30;
    private const int MaxDelayMilliseconds = 1500;
    private static readonly (string Id, int SizeMb)[] Images = [("image-a", 4), ("image-b", 8), ("image-c", 16)];

    /// <summary>
    /// Every third run kills the child as soon as it prints one of these (the n-th time, n from 1 to 3) instead of after
    /// a random delay: the steps that take well under a millisecond, which a random delay almost never hits.
    /// </summary>
    private static readonly (string Step, Func<string, bool> Matches)[] Triggers =
    [
        ("entry insert", l => l.StartsWith("end copy ", StringComparison.Ordinal) && !IsTarget(l)),
        ("eviction", l => l.StartsWith("begin delete ", StringComparison.Ordinal) && !IsTarget(l)),
        ("entry removal", l => l.StartsWith("end delete ", StringComparison.Ordinal) && !IsTarget(l)),
        ("cache volume create", l => l.StartsWith("begin create ", StringComparison.Ordinal) && !IsTarget(l)),
        ("extend", l => l.StartsWith("begin extend ", StringComparison.Ordinal)),
        ("lookup", l => l.StartsWith("request ", StringComparison.Ordinal)),
    ];

    [Test]
    public async Task After_a_kill_at_any_point_a_restarted_host_has_no_orphan_volume_no_entry_without_a_volume_and_serves_the_next_request()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("IMAGEVOLUMECACHE_CRASH_SEED"), out int given) ? given : Random.Shared.Next();
        var random = new Random(seed);
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        string database = folder.Combine("cache.db");
        await AddImagesAsync(images, random);
        var phases = new SortedDictionary<string, int>(StringComparer.Ordinal);
        TestContext.Out.WriteLine($"seed {seed} (set IMAGEVOLUMECACHE_CRASH_SEED to repeat)");

        for (int run = 0; run < KillPoints; run++)
        {
            var delay = TimeSpan.FromMilliseconds(random.Next(MaxDelayMilliseconds));
            (string Step, Func<string, bool> Matches)? trigger = run % 3 == 2 ? Triggers[run / 3 % Triggers.Length] : null;
            Func<string, bool>? kill = trigger is null ? null : Nth(trigger.Value.Matches, random.Next(1, 4));
            string[] args = ["crash", volumes, images, database, ChildProcess.Number(run), .. Images.Select(i => i.Id)];
            KilledRun killed = await KilledRun.RunAsync(delay, kill, args);
            phases[killed.Phase] = phases.GetValueOrDefault(killed.Phase) + 1;
            string when = trigger is null ? $"after {delay.TotalMilliseconds} ms" : $"on reaching {trigger.Value.Step}";
            string context = $"seed {seed}, run {run}, killed {when} in phase '{killed.Phase}' (last lines: {string.Join(" | ", killed.Lines.TakeLast(4))})";

            // The killed host's fill leases, pins and removal marks say it may still be working (no other host can tell it
            // is dead): its half-made cache volume is left to the first reconciliation after they run out.
            await OutliveKilledHoldersAsync(database);
            await using ServiceProvider host = CrashHost.Build(volumes, images, database);
            await CrashHost.StartAsync(host); // reconciles the backend
            var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = CrashHost.Backend, Directory = volumes });
            foreach (string userVolume in killed.RequestedVolumes)
            {
                await driver.DeleteVolumeAsync(userVolume, CancellationToken.None);
            }

            await AssertCacheIsWholeAsync(host, driver, context);
            await AssertEveryImageIsServedAsync(host, driver, run, context);
        }

        TestContext.Out.WriteLine($"kill points tried: {KillPoints}");
        foreach ((string phase, int count) in phases)
        {
            TestContext.Out.WriteLine($"  {count,3}  {phase}");
        }

        Assert.That(phases.Values.Sum(), Is.EqualTo(KillPoints));
    }

    /// <summary>Waits until every fill lease, pin and removal mark in the file has run out (the crash host's last 2 s).</summary>
    private static async Task OutliveKilledHoldersAsync(string database)
    {
        object? latest = SqliteFile.Query(database,
            "SELECT max(t) FROM (SELECT max(expires_at) AS t FROM fill_leases UNION ALL SELECT max(expires_at) FROM entry_pins UNION ALL SELECT max(expires_at) FROM entry_marks WHERE retired = 0)");
        if (latest is long ticks)
        {
            TimeSpan left = new DateTimeOffset(ticks, TimeSpan.Zero) - DateTimeOffset.UtcNow;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left + TimeSpan.FromMilliseconds(50));
            }
        }
    }

    private static bool IsTarget(string line) => line.Split(' ')[^1].StartsWith(CrashHost.TargetPrefix, StringComparison.Ordinal);

    private static Func<string, bool> Nth(Func<string, bool> matches, int n)
    {
        int seen = 0;
        return line => matches(line) && ++seen == n;
    }

    private static async Task AddImagesAsync(string folder, Random random)
    {
        var service = new FolderImageService(folder);
        foreach ((string id, int sizeMb) in Images)
        {
            byte[] data = new byte[sizeMb << 20];
            random.NextBytes(data);
            await service.AddImageAsync(new FolderImage(id, "owner-project"), new MemoryStream(data), CancellationToken.None);
        }
    }

    private static async Task AssertCacheIsWholeAsync(IServiceProvider host, FileSystemVolumeDriver driver, string context)
    {
        IReadOnlyList<ImageCacheEntry> entries = await host.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None);
        IReadOnlyList<BackendVolume> listed = await driver.ListVolumesAsync(CancellationToken.None);
        var expectedFiles = entries.SelectMany(e => new[] { e.VolumeId + ".img", e.VolumeId + ".json" }).Order(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(driver.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        var complete = listed.Where(v => v.ImageDataComplete && v.Spec.Metadata.ContainsKey(CacheVolumeMetadata.CacheVolume)).Select(v => v.Spec.Id);

        Assert.That(files, Is.EqualTo(expectedFiles), $"every file is a cache volume with an entry, and every entry has its volume; {context}");
        Assert.That(complete, Is.EquivalentTo(entries.Select(e => e.VolumeId)), $"every entry's volume holds complete image data; {context}");
    }

    private static async Task AssertEveryImageIsServedAsync(IServiceProvider host, FileSystemVolumeDriver driver, int run, string context)
    {
        foreach ((string image, _) in Images)
        {
            string first = string.Create(CultureInfo.InvariantCulture, $"check-{run}-{image}-1");
            string second = string.Create(CultureInfo.InvariantCulture, $"check-{run}-{image}-2");
            CreateVolumeFromImageResult miss = await CrashHost.CreateAsync(host, first, image, 1);
            CreateVolumeFromImageResult hit = await CrashHost.CreateAsync(host, second, image, 1);
            await driver.DeleteVolumeAsync(first, CancellationToken.None);
            await driver.DeleteVolumeAsync(second, CancellationToken.None);

            Assert.That(miss.Path, Is.AnyOf(CreateFromImagePath.CacheHit, CreateFromImagePath.CacheMissCreated), $"{image}; {context}");
            Assert.That(hit.Path, Is.EqualTo(CreateFromImagePath.CacheHit), $"{image}; {context}");
        }
    }
}
