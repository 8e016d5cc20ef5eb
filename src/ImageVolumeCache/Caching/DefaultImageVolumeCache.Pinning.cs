using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>Pins on entries being cloned from, and the retirement of a stale entry that is still in use.</summary>
internal sealed partial class DefaultImageVolumeCache
{
    private long _pinCount;
    private PinRenewals? _pinRenewals;

    /// <summary>Unique per cache instance among every host's, and short: the start of each of its pins' ids.</summary>
    private readonly string _pinPrefix = Guid.NewGuid().ToString("N")[..16] + "/";

    private PinRenewals Renewals =>
        _pinRenewals ?? Interlocked.CompareExchange(ref _pinRenewals, new PinRenewals(_time, () => _options.CurrentValue.FillLeaseDuration, RenewPinAsync), null) ?? _pinRenewals;

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

        string pin = $"{_pinPrefix}{Interlocked.Increment(ref _pinCount):x}";
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

        var lease = new CacheEntryLease(this, entry, pin, _time.GetTimestamp());
        Renewals.Add(lease);
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
    private async ValueTask RenewPinAsync(CacheEntryLease lease, TimeSpan duration)
    {
        ImageCacheEntry entry = lease.Entry;
        try
        {
            if (!await _coordination.RenewPinAsync(entry.Id, lease.Pin, _time.GetUtcNow(), duration, CancellationToken.None).ConfigureAwait(false))
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
    internal async ValueTask ReleasePinAsync(CacheEntryLease lease)
    {
        ImageCacheEntry entry = lease.Entry;
        Renewals.Remove(lease);
        _pins.Unpin(entry.Id);
        bool last;
        try
        {
            last = await _coordination.ReleasePinAsync(entry.Id, lease.Pin, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The pin runs out by itself; a retired entry's volume is then left to reconciliation.
            Log.EntryPinReleaseFailed(_logger, ex, entry.Id, entry.VolumeId);
            return;
        }

        if (!last)
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
