using System.Collections.Concurrent;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>Pins on entries being cloned from, and the retirement of a stale entry that is still in use.</summary>
internal sealed partial class DefaultImageVolumeCache
{
    private readonly Lock _sharedPinsLock = new();
    private readonly Dictionary<long, SharedEntryPin> _sharedPins = [];
    private ITimer? _idlePinSweep;
    private bool _disposed;

    /// <summary>The give-backs the sweep started and has not seen end (disposal waits for them).</summary>
    private readonly ConcurrentDictionary<Task, byte> _givingBack = new();
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
    /// or, for a store that holds the entries, no longer stored), where the process holds one pin per entry for all of
    /// its requests (<see cref="SharedEntryPin"/>): a request joins a live one without a store call. Returns
    /// <see langword="null"/> when the entry is being evicted, or was evicted between the store call and the pin. When a
    /// removal in this process was under way or has started since <paramref name="watch"/> was taken, the pinned entry is
    /// looked for again (for a coordination that does not know the entries), and a pin on an entry that is gone is released.
    /// </summary>
    internal async ValueTask<CacheEntryLease?> TryPinAsync(ImageCacheEntry entry, RemovalWatch watch)
    {
        if (!_pins.TryPin(entry.Id))
        {
            return null;
        }

        SharedEntryPin shared = JoinOrStartPin(entry, out bool taker, out SharedEntryPin? replaced);
        if (replaced is not null)
        {
            await GiveBackPinAsync(replaced).ConfigureAwait(false);
        }

        bool pinned = false;
        try
        {
            if (taker)
            {
                await TakePinAsync(shared).ConfigureAwait(false);
            }

            pinned = await shared.Taken.Task.ConfigureAwait(false);
        }
        finally
        {
            if (!pinned)
            {
                LeaveRefusedPin(shared);
                _pins.Unpin(entry.Id);
            }
        }

        if (!pinned)
        {
            Log.EntryPinRefused(_logger, entry.Id, entry.VolumeId);
            return null;
        }

        var lease = new CacheEntryLease(this, entry, shared);
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

    /// <summary>
    /// Joins this process's live pin on the entry, or starts a new one (then <paramref name="taker"/> is set and the caller
    /// takes it in the store). A pin is not joined when it is closed, is of another volume, or may run out in the store
    /// before its next renewal; such a pin is closed, and returned in <paramref name="replaced"/> when it has no user left
    /// (the caller gives it back).
    /// </summary>
    private SharedEntryPin JoinOrStartPin(ImageCacheEntry entry, out bool taker, out SharedEntryPin? replaced)
    {
        replaced = null;
        lock (_sharedPinsLock)
        {
            taker = !_sharedPins.TryGetValue(entry.Id, out SharedEntryPin? shared)
                || shared.Closed
                || _disposed
                || !string.Equals(shared.Entry.VolumeId, entry.VolumeId, StringComparison.Ordinal)
                || _time.GetElapsedTime(shared.RenewedAt) >= shared.Duration * 3 / 4;
            if (taker)
            {
                if (shared is not null && CloseLocked(shared))
                {
                    replaced = shared;
                }

                TimeSpan duration = _options.CurrentValue.FillLeaseDuration;
                shared = new SharedEntryPin(entry, $"{_pinPrefix}{Interlocked.Increment(ref _pinCount):x}", _time.GetTimestamp(), duration);
                _sharedPins[entry.Id] = shared;
            }

            shared!.Users++;
            return shared;
        }
    }

    /// <summary>Takes a new shared pin in the store's coordination and tells its joiners the answer.</summary>
    private async ValueTask TakePinAsync(SharedEntryPin shared)
    {
        try
        {
            shared.RenewedAt = _time.GetTimestamp();
            bool pinned = await _coordination.TryPinEntryAsync(shared.Entry.Id, shared.Pin, _time.GetUtcNow(), shared.Duration, CancellationToken.None).ConfigureAwait(false);
            if (pinned)
            {
                Renewals.Add(shared);
            }

            shared.Taken.TrySetResult(pinned);
        }
        catch (Exception ex)
        {
            shared.Taken.TrySetException(ex);
        }
    }

    /// <summary>Leaves a pin the store refused (or failed to give): it is closed, so that the next request takes a new one.</summary>
    private void LeaveRefusedPin(SharedEntryPin shared)
    {
        lock (_sharedPinsLock)
        {
            shared.Users--;
            CloseLocked(shared);
        }
    }

    /// <summary>
    /// Closes this process's pin on an entry to new users, if it has one: an idle one is given back now, one in use by its
    /// last user. Used when this process retires the entry, and before it removes one (which the store refuses while any
    /// pin is live): the caller has then begun the removal in this process, so the pin is idle and no request joins it.
    /// </summary>
    internal async ValueTask ClosePinAsync(long entryId)
    {
        SharedEntryPin? idle = null;
        lock (_sharedPinsLock)
        {
            if (_sharedPins.TryGetValue(entryId, out SharedEntryPin? shared) && CloseLocked(shared))
            {
                idle = shared;
            }
        }

        if (idle is not null)
        {
            await GiveBackPinAsync(idle).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes a pin to new users and drops it from the table (when it is still the entry's); under the pin lock. Returns
    /// whether it was open and has no user, so that the caller gives it back (once: a closed pin is given back by whoever
    /// closed it idle, or by its last user).
    /// </summary>
    private bool CloseLocked(SharedEntryPin shared)
    {
        bool wasOpen = !shared.Closed;
        shared.Closed = true;
        if (_sharedPins.TryGetValue(shared.Entry.Id, out SharedEntryPin? current) && ReferenceEquals(current, shared))
        {
            _sharedPins.Remove(shared.Entry.Id);
        }

        return wasOpen && shared.Users == 0;
    }

    /// <summary>
    /// Renews a pin in the store's coordination; returns whether it was renewed. A failure is logged, and the next tick
    /// tries again. A pin the store no longer has is closed to new users, and given back at once when idle (which ends a
    /// retirement it was the last pin of).
    /// </summary>
    private async ValueTask<bool> RenewPinAsync(SharedEntryPin shared, TimeSpan duration)
    {
        ImageCacheEntry entry = shared.Entry;
        try
        {
            if (await _coordination.RenewPinAsync(entry.Id, shared.Pin, _time.GetUtcNow(), duration, CancellationToken.None).ConfigureAwait(false))
            {
                shared.Duration = duration;
                return true;
            }
        }
        catch (Exception ex)
        {
            Log.EntryPinRenewFailed(_logger, ex, entry.Id, entry.VolumeId);
            return false;
        }

        bool idle;
        lock (_sharedPinsLock)
        {
            if (shared.Closed && shared.Users == 0)
            {
                // Given back meanwhile: not lost.
                return false;
            }

            idle = CloseLocked(shared);
        }

        Log.EntryPinLost(_logger, entry.Id, entry.VolumeId);
        Renewals.Remove(shared);
        if (idle)
        {
            await GiveBackPinAsync(shared).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// Leaves a request's pin: the last user of a live pin lets it linger (<see cref="ImageVolumeCacheOptions.PinLinger"/>); the last user of
    /// a closed one gives it back at once.
    /// </summary>
    internal async ValueTask ReleasePinAsync(CacheEntryLease lease)
    {
        SharedEntryPin shared = lease.Shared;
        bool giveBack = false;
        lock (_sharedPinsLock)
        {
            if (--shared.Users == 0)
            {
                shared.IdleSince = _time.GetTimestamp();
                TimeSpan linger = _options.CurrentValue.PinLinger;
                giveBack = shared.Closed || linger == TimeSpan.Zero || _disposed;
                if (giveBack)
                {
                    CloseLocked(shared);
                }
                else if (_idlePinSweep is null)
                {
                    _idlePinSweep = _time.CreateTimer(static state => ((DefaultImageVolumeCache)state!).SweepIdlePins(), this, linger, linger);
                }
            }
        }

        // After the shared count: a removal in this process that begins once this pin is left finds it idle and gives it back.
        _pins.Unpin(lease.Entry.Id);
        if (giveBack)
        {
            await GiveBackPinAsync(shared).ConfigureAwait(false);
        }
    }

    /// <summary>Gives back this process's idle pins (for a container disposed synchronously).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Gives back this process's idle pins, so that other processes and hosts need not wait for them to run out; pins
    /// still in use are closed (their last user gives them back at once), the sweep and the renewals stop, and the
    /// give-backs the sweep started are waited for.
    /// </summary>
    /// <returns>A task that completes when they are given back.</returns>
    public async ValueTask DisposeAsync()
    {
        List<SharedEntryPin> idle = [];
        lock (_sharedPinsLock)
        {
            _disposed = true;
            _idlePinSweep?.Dispose();
            _idlePinSweep = null;
            foreach (SharedEntryPin shared in _sharedPins.Values.ToList())
            {
                if (CloseLocked(shared))
                {
                    idle.Add(shared);
                }
            }
        }

        foreach (SharedEntryPin shared in idle)
        {
            await GiveBackPinAsync(shared).ConfigureAwait(false);
        }

        await Task.WhenAll(_givingBack.Keys).ConfigureAwait(false);
        _pinRenewals?.Dispose();
    }

    /// <summary>Gives back the pins whose linger has ended; stops its timer when no idle pin is left.</summary>
    private void SweepIdlePins()
    {
        TimeSpan linger = _options.CurrentValue.PinLinger;
        List<SharedEntryPin>? ended = null;
        lock (_sharedPinsLock)
        {
            bool idleLeft = false;
            foreach (SharedEntryPin shared in _sharedPins.Values)
            {
                if (shared.Users > 0)
                {
                    continue;
                }

                if (_time.GetElapsedTime(shared.IdleSince) >= linger)
                {
                    (ended ??= []).Add(shared);
                }
                else
                {
                    idleLeft = true;
                }
            }

            foreach (SharedEntryPin shared in ended ?? [])
            {
                CloseLocked(shared);
            }

            if (!idleLeft && ended is null)
            {
                _idlePinSweep?.Dispose();
                _idlePinSweep = null;
            }
        }

        foreach (SharedEntryPin shared in ended ?? [])
        {
            Task giving = GiveBackPinAsync(shared).AsTask();
            _givingBack.TryAdd(giving, 0);
            _ = giving.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _), _givingBack, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Gives a pin back to the store's coordination; the last pin (on any host) of a retired entry deletes its volume (not
    /// cancellable; a failure is logged with the volume id, and the volume is left to reconciliation).
    /// </summary>
    private async ValueTask GiveBackPinAsync(SharedEntryPin shared)
    {
        ImageCacheEntry entry = shared.Entry;
        Renewals.Remove(shared);
        bool last;
        try
        {
            last = await _coordination.ReleasePinAsync(entry.Id, shared.Pin, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
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
            // No request joins this process's pin on the retired entry any more, and its last user gives it back at once.
            await ClosePinAsync(entry.Id).ConfigureAwait(false);
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
