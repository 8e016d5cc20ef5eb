using System.Runtime.CompilerServices;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// An entry store that cannot be reached (a shared database down, a locked file) never fails a request: the volume is
/// made by a download without the cache, nothing is left behind, and caching resumes when the store answers again.
/// </summary>
public sealed class StoreOutageTests
{
    [Test]
    public async Task A_store_that_is_down_at_lookup_serves_the_request_by_download_with_one_miss()
    {
        var store = new FlakyStore { Down = _ => true };
        using var harness = new CacheHarness(store: store);
        ImageInfo image = harness.AddImage("img");

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(harness.Driver.GetVolume("v1").Data, Has.Length.EqualTo(image.SizeBytes));
        Assert.That(harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EqualTo(new[] { "v1" }), "no cache volume is made");
        Assert.That(harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Miss }));
        Assert.That(harness.Logs(1064), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_store_that_fails_while_making_room_or_recording_serves_the_request_and_leaks_nothing()
    {
        var store = new FlakyStore();
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 5, store: store);
        harness.AddImage("img");
        harness.AddImage("other");

        store.Down = call => call == nameof(ICacheEntryStore.GetTotalsAsync);
        CreateVolumeFromImageResult noRoom = await harness.CreateAsync("img", volumeId: "v1");
        store.Down = call => call == nameof(ICacheEntryStore.TryAddAsync);
        CreateVolumeFromImageResult notRecorded = await harness.CreateAsync("other", volumeId: "v2");

        Assert.That(noRoom.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(notRecorded.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EquivalentTo(new[] { "v1", "v2" }), "the half-made cache volume is deleted");
    }

    [Test]
    public async Task Caching_resumes_when_the_store_answers_again()
    {
        var store = new FlakyStore { Down = _ => true };
        using var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        await harness.CreateAsync("img", volumeId: "v1");

        store.Down = _ => false;
        CreateVolumeFromImageResult miss = await harness.CreateAsync("img", volumeId: "v2");
        CreateVolumeFromImageResult hit = await harness.CreateAsync("img", volumeId: "v3");

        Assert.That(miss.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(hit.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
    }

    /// <summary>The in-memory store, made to fail the calls <see cref="Down"/> names, as an unreachable database would.</summary>
    private sealed class FlakyStore : ICacheEntryStore
    {
        private readonly InMemoryCacheEntryStore _inner = new();

        public Func<string, bool> Down { get; set; } = _ => false;

        public ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken) =>
            Check() ?? _inner.GetAndTouchAsync(scopeKey, imageId, now, cancellationToken);

        public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken) =>
            Check() ?? _inner.GetAsync(scopeKey, imageId, cancellationToken);

        public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken) =>
            Check() ?? _inner.FindByVolumeIdAsync(volumeId, cancellationToken);

        public ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken) =>
            Check() ?? _inner.TryAddAsync(entry, cancellationToken);

        public ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken) =>
            Check<bool>() ?? _inner.RemoveAsync(entryId, cancellationToken);

        public ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken) =>
            Check<IReadOnlyList<ImageCacheEntry>>() ?? _inner.GetLeastRecentlyUsedAsync(scopeKey, maxCount, cancellationToken);

        public ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken) =>
            Check<CacheScopeTotals>() ?? _inner.GetTotalsAsync(scopeKey, cancellationToken);

        public ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken) =>
            Check<IReadOnlyList<ImageCacheEntry>>() ?? _inner.ListAsync(scopeKey, cancellationToken);

        public ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken) =>
            Check<ScopeMoveResult>() ?? _inner.MoveToClusterAsync(scopeKey, cluster, cancellationToken);

        public ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken) =>
            Check<IReadOnlyList<ImageCacheEntry>>() ?? _inner.FindInOtherPoolsAsync(scopeKey, imageId, cancellationToken);

        private ValueTask<ImageCacheEntry?>? Check([CallerMemberName] string call = "") => Check<ImageCacheEntry?>(call);

        private ValueTask<T>? Check<T>([CallerMemberName] string call = "") =>
            Down(call) ? ValueTask.FromException<T>(new CacheEntryStoreException("db.example:5432", $"The store at db.example:5432 cannot be reached ({call}).")) : null;
    }
}
