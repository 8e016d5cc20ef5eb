namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// A store that meets a row with out-of-range values takes it out of service and says so: the cache logs it, makes the
/// call again, and the next reconciliation reports it; requests for the image are not blocked.
/// </summary>
public sealed class QuarantinedRowTests
{
    [Test]
    public async Task Quarantined_row_met_on_lookup_is_a_miss_and_is_reported_by_reconciliation()
    {
        var store = new QuarantiningStore();
        using var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        ImageCacheEntry first = (await harness.CreateAsync("img")).CacheEntry!;
        store.QuarantineOnNextRead(first);

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", volumeId: "v1");
        ReconciliationResult reconciled = await harness.Cache.ReconcileAsync(CacheHarness.Backend, CancellationToken.None);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(harness.Logs(1061), Has.Count.EqualTo(1));
        Assert.That(reconciled.EntriesQuarantined, Is.EqualTo(1));
        Assert.That(reconciled.VolumesDeleted, Is.EqualTo(1), "the quarantined entry's volume is an orphan of a duplicate image, and goes");
        Assert.That(harness.Driver.Exists(first.VolumeId), Is.False);
    }

    [Test]
    public async Task Quarantined_row_met_while_making_room_does_not_stop_the_eviction()
    {
        var store = new QuarantiningStore();
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 1, store: store);
        harness.AddImage("a");
        harness.AddImage("b");
        ImageCacheEntry a = (await harness.CreateAsync("a")).CacheEntry!;
        store.QuarantineOnNextRead(a);

        CreateVolumeFromImageResult result = await harness.CreateAsync("b");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That((await store.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "b" }));
    }

    /// <summary>The in-memory store, made to quarantine one entry at its next read, as a durable store does with a bad row.</summary>
    private sealed class QuarantiningStore : ICacheEntryStore
    {
        private readonly InMemoryCacheEntryStore _inner = new();
        private ImageCacheEntry? _bad;

        public void QuarantineOnNextRead(ImageCacheEntry entry) => _bad = entry;

        public async ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await QuarantineAsync();
            return await _inner.GetAndTouchAsync(scopeKey, imageId, now, cancellationToken);
        }

        public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken) => _inner.GetAsync(scopeKey, imageId, cancellationToken);

        public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken) => _inner.FindByVolumeIdAsync(volumeId, cancellationToken);

        public ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken) => _inner.TryAddAsync(entry, cancellationToken);

        public ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken) => _inner.RemoveAsync(entryId, cancellationToken);

        public async ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken)
        {
            await QuarantineAsync();
            return await _inner.GetLeastRecentlyUsedAsync(scopeKey, maxCount, cancellationToken);
        }

        public ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken) => _inner.GetTotalsAsync(scopeKey, cancellationToken);

        public async ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken)
        {
            await QuarantineAsync();
            return await _inner.ListAsync(scopeKey, cancellationToken);
        }

        public ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken) => _inner.MoveToClusterAsync(scopeKey, cluster, cancellationToken);

        public ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken) => _inner.FindInOtherPoolsAsync(scopeKey, imageId, cancellationToken);

        private async ValueTask QuarantineAsync()
        {
            if (Interlocked.Exchange(ref _bad, null) is { } bad)
            {
                await _inner.RemoveAsync(bad.Id, CancellationToken.None);
                throw new CacheEntryStoreException("memory", $"Entry {bad.Id} in 'memory' has values out of range; it is quarantined.") { QuarantinedEntryIds = [bad.Id] };
            }
        }
    }
}
