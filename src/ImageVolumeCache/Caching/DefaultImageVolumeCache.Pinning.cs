using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>Pins on entries being cloned from, and the retirement of a stale entry that is still in use.</summary>
internal sealed partial class DefaultImageVolumeCache
{
    /// <summary>Notes the entry-removal counts, before reading an entry that is to be pinned with <see cref="TryPinAsync"/>.</summary>
    internal RemovalWatch WatchRemovals() => _pins.WatchRemovals();

    /// <summary>
    /// Pins an entry found in (or just added to) the store, so that it is not evicted before the request clones from it.
    /// Returns <see langword="null"/> when the entry is being evicted, or was evicted between the store call and the pin.
    /// When a removal was under way or has started since <paramref name="watch"/> was taken, the pinned entry is looked
    /// for again, and a pin on an entry that is gone is released; otherwise the store is not asked twice.
    /// </summary>

    internal async ValueTask<CacheEntryLease?> TryPinAsync(ImageCacheEntry entry, RemovalWatch watch)
    {
        if (!_pins.TryPin(entry.Id))
        {
            return null;
        }

        var lease = new CacheEntryLease(this, entry);
        if (_pins.NoRemovalSince(watch))
        {
            // Nothing was being removed when the entry was read, and nothing has been since: it is still stored.
            return lease;
        }

        bool stored = false;
        try
        {
            ImageCacheEntry? current = await _store.FindByVolumeIdAsync(entry.VolumeId, CancellationToken.None).ConfigureAwait(false);
            stored = current?.Id == entry.Id;
        }
        finally
        {
            if (!stored)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }

        return stored ? lease : null;
    }

    /// <summary>Releases a pin; the last pin of a retired entry deletes its volume (not cancellable; a failure is logged with the volume id).</summary>
    internal async ValueTask ReleasePinAsync(ImageCacheEntry entry)
    {
        if (!_pins.Unpin(entry.Id))
        {
            return;
        }

        try
        {
            // The entry is gone from the store, so nothing else will check its volume: only the entry's own cache volume
            // is deleted.
            if (await CheckVolumeAsync(entry, CancellationToken.None).ConfigureAwait(false) == CacheVolumeCheck.Trusted)
            {
                await DriverFor(entry.Scope).DeleteVolumeAsync(entry.VolumeId, CancellationToken.None).ConfigureAwait(false);
                Log.RetiredVolumeDeleted(_logger, entry.VolumeId, entry.Id);
            }

            Forget(entry);
        }
        catch (Exception ex)
        {
            Log.RetiredVolumeDeleteFailed(_logger, ex, entry.VolumeId, entry.Id, entry.Scope.Backend);
        }
    }

    /// <summary>
    /// Removes a stale entry: evicts it when nobody uses it; when it is pinned, removes the entry now (so that a new entry
    /// of the new image can be made at once) and leaves its volume to the last pin's release. Sends one evict either way.
    /// Returns <see langword="false"/> when the entry is still stored (its volume could not be deleted, or it is being
    /// evicted by another request).
    /// </summary>
    private async ValueTask<bool> RetireStaleAsync(ImageCacheEntry entry, ImageInfo image)
    {
        Log.CacheEntryStale(_logger, entry.Id, image.Id, entry.ScopeKey, entry.ImageUpdatedAt, image.UpdatedAt);
        if (await EvictCoreAsync(entry, EvictionReason.Stale, CancellationToken.None).ConfigureAwait(false))
        {
            return true;
        }

        if (_pins.TryRetire(entry.Id))
        {
            Log.StaleEntryRetired(_logger, entry.Id, image.Id, entry.VolumeId);
            try
            {
                await RemoveEntryAsync(entry, EvictionReason.Stale).ConfigureAwait(false);
            }
            finally
            {
                _pins.EndRemoval();
            }

            return true;
        }

        Log.StaleEntryInUse(_logger, entry.Id, image.Id);
        return false;
    }
}
