namespace ImageVolumeCache.Caching;

/// <summary>
/// A pin on a cache entry while a volume is cloned from it, held in this process and in the store's coordination (so
/// that no process or host evicts the entry meanwhile), renewed by the cache's <see cref="PinRenewals"/> while it is held;
/// disposing releases the pin, and deletes the entry's volume when the entry was retired (stale) while pinned and this
/// was its last pin on any host.
/// </summary>
internal sealed class CacheEntryLease(DefaultImageVolumeCache cache, ImageCacheEntry entry, string pin, long pinnedAt) : IAsyncDisposable
{
    private int _released;

    public ImageCacheEntry Entry { get; } = entry;

    /// <summary>The pin's id in the store's coordination.</summary>
    public string Pin { get; } = pin;

    /// <summary>When the pin was taken or last renewed (a <see cref="TimeProvider"/> timestamp).</summary>
    public long RenewedAt { get; set; } = pinnedAt;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? cache.ReleasePinAsync(this) : ValueTask.CompletedTask;
}
