using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Lookups (a hit pinned, its volume checked, a stale entry retired, one hit or miss sent) and the recording of new
/// entries.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    /// <summary>Looks up an entry (one hit or miss) and releases its pin at once: for tests and tools, never for a clone.</summary>
    internal async ValueTask<ImageCacheEntry?> GetEntryAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        CacheEntryLease? lease = await AcquireAsync(scope, image, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return null;
        }

        await lease.DisposeAsync().ConfigureAwait(false);
        return lease.Entry;
    }

    /// <summary>
    /// Looks up and pins the current entry for an image, evicting a stale one; sends exactly one hit or miss.
    /// The caller clones from the pinned entry and then disposes the lease.
    /// </summary>
    internal async ValueTask<CacheEntryLease?> AcquireAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        CacheLookup lookup = await TryAcquireAsync(scope, image, cancellationToken).ConfigureAwait(false);
        if (lookup.Lease is null)
        {
            await RecordMissAsync(scope, image, cancellationToken).ConfigureAwait(false);
        }

        return lookup.Lease;
    }

    /// <summary>
    /// Looks up and pins the current entry for an image, retiring a stale one; sends one hit when it finds one, and
    /// nothing otherwise (the caller decides whether its miss is a miss or a wait for another request's fill). With
    /// <c>CloneAcrossPools</c>, a miss in the scope's own pool looks in the backend's other pools (<c>.Pools.cs</c>). The
    /// entry's volume is checked with the backend before the hit (once per entry in this process): an entry whose volume
    /// is gone is evicted, one whose volume is not its cache volume is dropped, and both are misses.
    /// </summary>
    internal async ValueTask<CacheLookup> TryAcquireAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        RemovalWatch watch = _pins.WatchRemovals();
        ImageCacheEntry? entry = await GetAndTouchAsync(scope, image, cancellationToken).ConfigureAwait(false);
        if (entry is null && PoolCloningFor(scope) is { } pools)
        {
            // Only a miss in its own pool, on a backend that clones across pools, asks the store anything more.
            entry = await FindInOtherPoolAsync(scope, image, pools, cancellationToken).ConfigureAwait(false);
        }

        if (entry is not null && !entry.IsCurrentFor(image))
        {
            bool removed = await RetireStaleAsync(entry, image).ConfigureAwait(false);
            return new CacheLookup(null, NoFill: !removed);
        }

        CacheEntryLease? lease = entry is null ? null : await TryPinAsync(entry, watch).ConfigureAwait(false);
        if (lease is null)
        {
            return default;
        }

        CacheVolumeCheck check;
        try
        {
            check = await CheckVolumeAsync(lease.Entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The backend could not say what the volume is (a transient driver failure): the entry is neither used nor
            // dropped, and the request is served without the cache.
            await lease.DisposeAsync().ConfigureAwait(false);
            Log.CacheVolumeCheckFailed(_logger, ex, lease.Entry.VolumeId, lease.Entry.Id);
            return new CacheLookup(null, NoFill: true);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (check != CacheVolumeCheck.Trusted)
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            EvictionReason reason = check == CacheVolumeCheck.Missing ? EvictionReason.VolumeMissing : EvictionReason.Untrusted;
            bool removed = await EvictCoreAsync(lease.Entry, reason, CancellationToken.None, check).ConfigureAwait(false);

            // An entry that stays (in use by another request, or being removed) still holds the scope's slot for the
            // image: a fill could not record its entry, so none is started. One of another pool holds no slot of this one.
            return new CacheLookup(null, NoFill: !removed && string.Equals(lease.Entry.ScopeKey, scope.Key, StringComparison.Ordinal));
        }

        // As in Cinder, a hit is announced with the entry's host (in a cluster, the member that made it).
        Log.CacheHit(_logger, image.Id, scope.Key, lease.Entry.Id, lease.Entry.VolumeId);
        _metrics.Hit(scope);
        CountersFor(scope).Hit();
        await NotifyAsync(ImageVolumeCacheEventTypes.Hit, image.Id, lease.Entry.Scope, cancellationToken).ConfigureAwait(false);
        return new CacheLookup(lease, NoFill: false);
    }

    /// <summary>
    /// The store's lookup-and-touch. Rows the store quarantines as it reads them (values out of range) are logged and the
    /// lookup made again, so that a bad row never blocks requests for its image. (A loop of its own rather than
    /// <see cref="RetryQuarantinedAsync"/>: the hit path calls no delegate.)
    /// </summary>
    private async ValueTask<ImageCacheEntry?> GetAndTouchAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await _store.GetAndTouchAsync(scope.Key, image.Id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
            catch (CacheEntryStoreException ex) when (ex.QuarantinedEntryIds.Count > 0 && attempt < MaxQuarantineRetries)
            {
                NoteQuarantined(ex);
            }
        }
    }

    /// <summary>Counts, logs and notifies a miss without a lookup (a retry after an entry proved unusable).</summary>
    internal async ValueTask RecordMissAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        Log.CacheMiss(_logger, image.Id, scope.Key);
        _metrics.Miss(scope);
        CountersFor(scope).Miss();
        await NotifyAsync(ImageVolumeCacheEventTypes.Miss, image.Id, scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records an entry for a volume made elsewhere: it is checked at its first use. For tests and tools.</summary>
    internal ValueTask<ImageCacheEntry?> CreateEntryAsync(CacheScope scope, ImageInfo image, string volumeId, int sizeGb, CancellationToken cancellationToken) =>
        CreateEntryAsync(scope, image, volumeId, sizeGb, madeHere: false, cancellationToken);

    /// <summary>
    /// Records an entry. <paramref name="madeHere"/> says the volume was made and filled by this process's fill, so the
    /// entry is trusted without asking the backend; an entry recorded for a volume someone else names is checked at its
    /// first use like any entry read from the store.
    /// </summary>
    internal async ValueTask<ImageCacheEntry?> CreateEntryAsync(CacheScope scope, ImageInfo image, string volumeId, int sizeGb, bool madeHere, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeGb);
        DateTimeOffset now = _time.GetUtcNow();
        var entry = new ImageCacheEntry(0, scope.Key, scope.Host, scope.Cluster, image.Id, image.UpdatedAt, volumeId, sizeGb, now, now);
        ImageCacheEntry? stored = await _store.TryAddAsync(entry, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            if (madeHere)
            {
                Trust(stored);
            }

            Log.CacheEntryCreated(_logger, stored.Id, image.Id, scope.Key, volumeId, sizeGb);
            await RefreshTotalsAsync(scope, CancellationToken.None).ConfigureAwait(false);
        }

        return stored;
    }
}
