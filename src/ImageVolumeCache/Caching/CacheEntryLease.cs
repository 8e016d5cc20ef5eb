namespace ImageVolumeCache.Caching;

/// <summary>
/// A pin on a cache entry while a volume is cloned from it; disposing releases the pin, and deletes the entry's volume
/// when the entry was retired (stale) while pinned and this was its last pin.
/// </summary>
internal sealed class CacheEntryLease(DefaultImageVolumeCache cache, ImageCacheEntry entry) : IAsyncDisposable
{
    private int _released;

    public ImageCacheEntry Entry { get; } = entry;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? cache.ReleasePinAsync(Entry) : ValueTask.CompletedTask;
}
