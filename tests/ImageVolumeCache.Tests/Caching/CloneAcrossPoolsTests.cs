using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// <c>Backends:&lt;name&gt;:CloneAcrossPools</c> (Cinder's <c>clone_across_pools</c>): a miss in the request's own pool
/// clones an entry of another pool of the same backend, when the driver says it can clone between them; never an entry of
/// another backend.
/// </summary>
public sealed class CloneAcrossPoolsTests
{
    private const string PoolA = CacheHarness.Backend + "#pool-a";
    private const string PoolB = CacheHarness.Backend + "#pool-b";
    private static readonly CancellationToken None = CancellationToken.None;

    [Test]
    public async Task A_miss_in_its_pool_clones_the_entry_of_another_pool_with_one_hit_and_touches_it()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: true);
        ImageCacheEntry other = await EntryInAsync(harness, PoolB);
        harness.Notifier.Clear();
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", volumeId: "in-a", host: PoolA);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(result.CacheEntry?.Id, Is.EqualTo(other.Id));
        Assert.That(harness.Driver.GetVolume("in-a").ClonedFromVolumeId, Is.EqualTo(other.VolumeId));
        Assert.That(harness.Images.DownloadCount, Is.EqualTo(1));
        Assert.That(harness.Notifier.Notifications.Select(n => (n.EventType, n.Host)), Is.EqualTo(new[] { (ImageVolumeCacheEventTypes.Hit, PoolB) }));
        Assert.That((await harness.Store.GetAsync(PoolB, "img", None))?.LastUsed, Is.EqualTo(harness.Time.GetUtcNow()), "the entry found is touched");
        Assert.That(await harness.Store.ListAsync(null, None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_miss_in_its_pool_is_a_miss_when_CloneAcrossPools_is_off()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: false);
        await EntryInAsync(harness, PoolB);
        harness.Notifier.Clear();

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: PoolA);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Miss }));
        Assert.That(await harness.Store.ListAsync(null, None), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_miss_in_its_pool_is_a_miss_when_the_driver_says_it_cannot_clone_between_the_pools()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: true);
        var asked = new List<(string Source, string Target)>();
        harness.Driver.ClonesBetweenPools = (source, target) =>
        {
            lock (asked)
            {
                asked.Add((source, target));
            }

            return false;
        };
        await EntryInAsync(harness, PoolB);

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: PoolA);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(asked, Has.Member(("pool-b", "pool-a")));
    }

    [Test]
    public async Task A_miss_in_its_pool_is_a_miss_when_the_driver_does_not_implement_IPoolCloning()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: true, driver: inner => new DriverWithoutPoolCloning(inner));
        await EntryInAsync(harness, PoolB);

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: PoolA);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
    }

    [Test]
    public async Task An_entry_of_another_backend_is_never_cloned()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: true);
        await EntryInAsync(harness, CacheHarness.OtherBackend + "#pool-b");

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: PoolA);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(harness.OtherDriver.CountOf(DriverOperation.Clone), Is.EqualTo(1), "only the other backend's own first request");
    }

    [Test]
    public async Task A_stale_entry_of_another_pool_is_not_cloned_and_left_to_its_own_pool()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: true);
        ImageCacheEntry stale = await EntryInAsync(harness, PoolB);
        harness.Images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddDays(1) });
        harness.Notifier.Clear();

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: PoolA);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Miss }));
        Assert.That(await harness.Store.GetAsync(PoolB, "img", None), Is.EqualTo(stale));
    }

    [Test]
    public async Task A_member_of_a_cluster_clones_the_entry_of_another_pool_of_its_cluster()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: true);
        harness.AddImage("img");
        ImageCacheEntry other = (await harness.CreateAsync("img", host: PoolB, cluster: "cluster1@lvm#pool-b")).CacheEntry!;

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: PoolA, cluster: "cluster1@lvm#pool-a");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(result.CacheEntry?.Id, Is.EqualTo(other.Id));
    }

    [Test]
    public async Task An_entry_cloned_across_pools_is_pinned_until_the_clone_ends()
    {
        using CacheHarness harness = Harness(cloneAcrossPools: true);
        ImageCacheEntry other = await EntryInAsync(harness, PoolB);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.SourceVolumeId == other.VolumeId ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> cloning = harness.CreateAsync("img", volumeId: "cloning", host: PoolA).AsTask();
        await Eventually.HappensAsync(harness.Driver.WaitForCallAsync(c => c.VolumeId == "cloning", None), "the other pool's entry is being cloned");

        int purged = await harness.Cache.PurgeAsync(PoolB, None);

        Assert.That(purged, Is.Zero);
        Assert.That(harness.Driver.Exists(other.VolumeId), Is.True);
        gate.SetResult();
        Assert.That((await Eventually.Within(cloning)).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(await harness.Cache.PurgeAsync(PoolB, None), Is.EqualTo(1), "the pin is released with the clone");
    }

    [Test]
    public async Task With_CloneAcrossPools_off_a_miss_makes_no_cross_pool_lookup()
    {
        (ICacheEntryStore store, CallCountingStore counter) = CallCountingStore.Wrap(new InMemoryCacheEntryStore());
        using CacheHarness harness = Harness(cloneAcrossPools: false, store: store);
        await EntryInAsync(harness, PoolB);

        await harness.CreateAsync("img", host: PoolA);

        Assert.That(counter.CountOf(nameof(ICacheEntryStore.FindInOtherPoolsAsync)), Is.Zero);
    }

    [Test]
    public async Task A_hit_in_its_own_pool_makes_no_cross_pool_lookup()
    {
        (ICacheEntryStore store, CallCountingStore counter) = CallCountingStore.Wrap(new InMemoryCacheEntryStore());
        using CacheHarness harness = Harness(cloneAcrossPools: true, store: store);
        ImageCacheEntry own = await EntryInAsync(harness, PoolA);
        counter.Calls.Clear();

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: PoolA);

        Assert.That(result.CacheEntry?.Id, Is.EqualTo(own.Id), "its own pool's entry");
        Assert.That(counter.CountOf(nameof(ICacheEntryStore.FindInOtherPoolsAsync)), Is.Zero);
        Assert.That(counter.CountOf(nameof(ICacheEntryStore.GetAndTouchAsync)), Is.EqualTo(1));
    }

    private static CacheHarness Harness(bool cloneAcrossPools, Func<InMemoryVolumeDriver, IVolumeDriver>? driver = null, ICacheEntryStore? store = null) =>
        new(
            o =>
            {
                o.Backends[CacheHarness.Backend] = new BackendCacheOptions { CloneAcrossPools = cloneAcrossPools };
                o.Backends[CacheHarness.OtherBackend] = new BackendCacheOptions { CloneAcrossPools = cloneAcrossPools };
            },
            store: store,
            driver: driver);

    /// <summary>Caches image <c>img</c> in a scope by a first request there.</summary>
    private static async Task<ImageCacheEntry> EntryInAsync(CacheHarness harness, string host)
    {
        harness.AddImage("img");
        CreateVolumeFromImageResult made = await harness.CreateAsync("img", host: host);
        Assert.That(made.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        return made.CacheEntry!;
    }
}
