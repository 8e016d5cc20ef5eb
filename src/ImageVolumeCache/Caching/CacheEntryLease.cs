namespace ImageVolumeCache.Caching;

/// <summary>
/// A request's hold on a cache entry while a volume is cloned from it: one user of the process's
/// <see cref="SharedEntryPin"/> on the entry (in this process and in the store's coordination, so that no process or host
/// evicts the entry meanwhile). Disposing leaves the pin; the pin itself is given back when its last user has left and its
/// linger has ended, and that deletes the entry's volume when the entry was retired (stale) while pinned and this was its
/// last pin on any host.
/// </summary>
internal sealed class CacheEntryLease(DefaultImageVolumeCache cache, ImageCacheEntry entry, SharedEntryPin shared) : IAsyncDisposable
{
    private int _released;

    public ImageCacheEntry Entry { get; } = entry;

    /// <summary>The process's pin that this lease is a user of.</summary>
    public SharedEntryPin Shared { get; } = shared;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? cache.ReleasePinAsync(this) : ValueTask.CompletedTask;
}
