using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>Pins on entries being cloned from, and the retirement of a stale entry that is still in use.</summary>
internal sealed partial class DefaultImageVolumeCache
{
    private long _pinCount;

    /// <summary>Notes the entry-removal counts, before reading an entry that is to be pinned with <see cref="TryPinAsync"/>.</summary>
    internal RemovalWatch WatchRemovals() => _pins.WatchRemovals();

    /// <summary>
    /// Pins an entry found in (or just added to) the store, so that no process or host evicts it before the request clones
    /// from it: in this process first, then in the store's coordination (which refuses an entry being removed, retired,
    /// or, for a store that holds the entries, no longer stored). Returns <see langword="null"/> when the entry is being
    /// evicted, or was evicted between the store call and the pin. When a removal in this process was under way or has
    /// started since <paramref name="watch"/> was taken, the pinned entry is looked for again (for a coordination that
    /// does not know the entries), and a pin on an entry that is gone is released.
    /// </summary>
    internal async ValueTask<CacheEntryLease?> TryPinAsync(ImageCacheEntry entry, RemovalWatch watch)
    {
        if (!_pins.TryPin(entry.Id))
        {
            return null;
        }

        string pin = $"{_holder}/{Interlocked.Increment(ref _pinCount)}";
        TimeSpan duration = _options.CurrentValue.FillLeaseDuration;
        bool pinned = false;
        try
        {
            pinned = await _coordination.TryPinEntryAsync(entry.Id, pin, _time.GetUtcNow(), duration, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (!pinned)
            {
                _pins.Unpin(entry.Id);
            }
        }

        if (!pinned)
        {
            Log.EntryPinRefused(_logger, entry.Id, entry.VolumeId);
            return null;
        }

        var lease = new CacheEntryLease(this, entry, pin, new PeriodicRenewal(_time, duration / 3, () => RenewPinAsync(entry, pin, duration)));
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

    /// <summary>Renews a pin in the store's coordination; a failure is logged, and the next renewal tries again.</summary>
    private async ValueTask RenewPinAsync(ImageCacheEntry entry, string pin, TimeSpan duration)
    {
        try
        {
            if (!await _coordination.RenewPinAsync(entry.Id, pin, _time.GetUtcNow(), duration, CancellationToken.None).ConfigureAwait(false))
            {
                Log.EntryPinLost(_logger, entry.Id, entry.VolumeId);
            }
        }
        catch (Exception ex)
        {
            Log.EntryPinRenewFailed(_logger, ex, entry.Id, entry.VolumeId);
        }
    }

    /// <summary>
    /// Releases a pin; the last pin (on any host) of a retired entry deletes its volume (not cancellable; a failure is
    /// logged with the volume id, and the volume is left to reconciliation).
    /// </summary>
    internal async ValueTask ReleasePinAsync(ImageCacheEntry entry, string pin)
    {
        _pins.Unpin(entry.Id);
        try
        {
            if (!await _coordination.ReleasePinAsync(entry.Id, pin, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

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

        bool retired;
        try
        {
            retired = await _coordination.TryRetireEntryAsync(entry.Id, entry.VolumeId, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex)
        {
            Log.StoreUnavailable(_logger, ex, image.Id, entry.ScopeKey);
            return false;
        }

        if (retired)
        {
            Log.StaleEntryRetired(_logger, entry.Id, image.Id, entry.VolumeId);
            _pins.BeginRemoval();
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
