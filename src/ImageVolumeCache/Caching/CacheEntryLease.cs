namespace ImageVolumeCache.Caching;

/// <summary>A pin on a cache entry while a volume is cloned from it; disposing releases the pin.</summary>
internal sealed class CacheEntryLease(EntryPinTable pins, ImageCacheEntry entry) : IAsyncDisposable
{
    private int _released;

    public ImageCacheEntry Entry { get; } = entry;

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            pins.Unpin(Entry.Id);
        }

        return ValueTask.CompletedTask;
    }
}
