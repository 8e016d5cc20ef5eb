namespace ImageVolumeCache.Caching;

/// <summary>
/// A pin on a cache entry while a volume is cloned from it, held in this process and in the store's coordination (so
/// that no process or host evicts the entry meanwhile), renewed while it is held; disposing releases the pin, and
/// deletes the entry's volume when the entry was retired (stale) while pinned and this was its last pin on any host.
/// </summary>
internal sealed class CacheEntryLease(DefaultImageVolumeCache cache, ImageCacheEntry entry, string pin, PeriodicRenewal renewal) : IAsyncDisposable
{
    private int _released;

    public ImageCacheEntry Entry { get; } = entry;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            await renewal.DisposeAsync().ConfigureAwait(false);
            await cache.ReleasePinAsync(Entry, pin).ConfigureAwait(false);
        }
    }
}
