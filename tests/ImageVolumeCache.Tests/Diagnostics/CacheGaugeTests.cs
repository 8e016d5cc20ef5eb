using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>The entries and size gauges per scope: the totals this process last read from the entry store.</summary>
public sealed class CacheGaugeTests
{
    private const string PoolHost = CacheHarness.Backend + "#pool-a";
    private const long GiB = CacheHarness.GiB;

    [Test]
    public async Task Two_misses_in_a_scope_show_two_entries_and_the_sum_of_their_sizes()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        harness.AddImage("image-b", virtualSizeBytes: 3 * CacheHarness.GiB);

        await harness.CreateAsync("image-a", host: PoolHost);
        await harness.CreateAsync("image-b", sizeGb: 3, host: PoolHost);

        Assert.That(Observe(harness), Is.EqualTo(new[] { (PoolHost, CacheHarness.Backend, 2L, 4 * GiB) }));
    }

    [Test]
    public async Task Each_scope_is_reported_on_its_own()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");

        await harness.CreateAsync("image-a", host: PoolHost);
        await harness.CreateAsync("image-a", host: CacheHarness.OtherBackend);

        Assert.That(Observe(harness), Is.EquivalentTo(new[] { (PoolHost, CacheHarness.Backend, 1L, GiB), (CacheHarness.OtherBackend, CacheHarness.OtherBackend, 1L, GiB) }));
    }

    [Test]
    public async Task Eviction_lowers_the_figures()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        harness.AddImage("image-b", virtualSizeBytes: 3 * CacheHarness.GiB);
        CreateVolumeFromImageResult a = await harness.CreateAsync("image-a");
        await harness.CreateAsync("image-b", sizeGb: 3);

        await harness.Cache.EvictAsync(a.CacheEntry!, CancellationToken.None);

        Assert.That(Observe(harness), Is.EqualTo(new[] { (CacheHarness.Backend, CacheHarness.Backend, 1L, 3 * GiB) }));
    }

    [Test]
    public async Task Eviction_to_make_room_leaves_the_figures_of_the_new_entry_alone()
    {
        using var harness = new CacheHarness(options => options.Defaults.MaxCount = 1);
        harness.AddImage("image-a");
        harness.AddImage("image-b", virtualSizeBytes: 3 * CacheHarness.GiB);
        await harness.CreateAsync("image-a");

        await harness.CreateAsync("image-b", sizeGb: 3);

        Assert.That(Observe(harness), Is.EqualTo(new[] { (CacheHarness.Backend, CacheHarness.Backend, 1L, 3 * GiB) }));
    }

    [Test]
    public async Task Reconciliation_of_a_fresh_cache_shows_the_entries_already_in_the_store()
    {
        using var harness = new CacheHarness();
        DateTimeOffset now = harness.Time.GetUtcNow();
        foreach ((string image, int sizeGb) in new[] { ("image-a", 1), ("image-b", 5) })
        {
            string volumeId = "cache-" + image;
            harness.Driver.Seed(CacheHarness.CacheVolume(volumeId, PoolHost, sizeGb, image, now), [1]);
            await harness.Store.TryAddAsync(new ImageCacheEntry(0, PoolHost, PoolHost, null, image, now, volumeId, sizeGb, now, now), CancellationToken.None);
        }

        Assert.That(Observe(harness), Is.Empty, "before reconciliation");

        await harness.Cache.ReconcileAsync(CacheHarness.Backend, CancellationToken.None);

        Assert.That(Observe(harness), Is.EqualTo(new[] { (PoolHost, CacheHarness.Backend, 2L, 6 * GiB) }));
    }

    [Test]
    public async Task Including_a_backend_in_its_cluster_moves_the_figures_to_the_clusters_scope()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.Backend] = new BackendCacheOptions { Cluster = "cluster1@lvm" });
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a", host: PoolHost);

        await harness.Cache.IncludeInClusterAsync(CacheHarness.Backend, CancellationToken.None);

        Assert.That(Observe(harness), Is.EquivalentTo(new[] { (PoolHost, CacheHarness.Backend, 0L, 0L), ("cluster1@lvm#pool-a", CacheHarness.Backend, 1L, GiB) }));
    }

    [Test]
    public async Task A_hit_reads_no_totals_from_the_store()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");
        await harness.Store.TryAddAsync(new ImageCacheEntry(0, CacheHarness.Backend, CacheHarness.Backend, null, "image-z", harness.Time.GetUtcNow(), "vol-z", 7, harness.Time.GetUtcNow(), harness.Time.GetUtcNow()), CancellationToken.None);

        await harness.CreateAsync("image-a");

        Assert.That(Observe(harness), Is.EqualTo(new[] { (CacheHarness.Backend, CacheHarness.Backend, 1L, GiB) }));
    }

    [Test]
    public async Task A_store_failure_while_reading_the_totals_is_logged_and_the_request_succeeds()
    {
        using var harness = new CacheHarness(store: new TotalsFailingStore());
        harness.AddImage("image-a");

        CreateVolumeFromImageResult made = await harness.CreateAsync("image-a");

        Assert.That((made.Path, harness.Logs(1040).Count, Observe(harness).Count), Is.EqualTo((CreateFromImagePath.CacheMissCreated, 1, 0)));
    }

    /// <summary>Each scope as (scope, backend, entries, size in bytes), from one observation of both gauges.</summary>
    private static List<(object? Scope, object? Backend, long Entries, long Size)> Observe(CacheHarness harness)
    {
        using MetricCollector<long> entries = harness.Collect(ImageVolumeCacheDiagnostics.Entries);
        using MetricCollector<long> sizes = harness.Collect(ImageVolumeCacheDiagnostics.Size);
        entries.RecordObservableInstruments();
        sizes.RecordObservableInstruments();
        return entries.GetMeasurementSnapshot()
            .Join(sizes.GetMeasurementSnapshot(), e => e.Tags["scope"], s => s.Tags["scope"], (e, s) => (e.Tags["scope"], e.Tags["backend"], e.Value, s.Value))
            .ToList();
    }

    /// <summary>The in-memory store, except that reading a scope's totals fails.</summary>
    private sealed class TotalsFailingStore : ICacheEntryStore
    {
        private readonly InMemoryCacheEntryStore _inner = new();

        public ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken) =>
            throw new CacheEntryStoreException("test", "The store is unavailable.");

        public ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken) =>
            _inner.GetAndTouchAsync(scopeKey, imageId, now, cancellationToken);

        public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken) =>
            _inner.GetAsync(scopeKey, imageId, cancellationToken);

        public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken) =>
            _inner.FindByVolumeIdAsync(volumeId, cancellationToken);

        public ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken) =>
            _inner.TryAddAsync(entry, cancellationToken);

        public ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken) => _inner.RemoveAsync(entryId, cancellationToken);

        public ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken) =>
            _inner.GetLeastRecentlyUsedAsync(scopeKey, maxCount, cancellationToken);

        public ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken) =>
            _inner.ListAsync(scopeKey, cancellationToken);

        public ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken) =>
            _inner.MoveToClusterAsync(scopeKey, cluster, cancellationToken);

        public ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken) =>
            _inner.FindInOtherPoolsAsync(scopeKey, imageId, cancellationToken);
    }
}
