using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>Eviction: of one entry (checked, then its volume deleted, then the entry removed), of the least recently used until a condition holds, and the admin calls purge, trim and evict.</summary>
internal sealed partial class DefaultImageVolumeCache
{
    public async ValueTask<int> TrimAsync(CacheScope scope, CancellationToken cancellationToken)
    {
        CacheLimits limits = CacheLimits.For(_options.CurrentValue, scope.Backend);
        if (limits.Unlimited)
        {
            return 0;
        }

        CacheScopeTotals before = await _store.GetTotalsAsync(scope.Key, cancellationToken).ConfigureAwait(false);
        CacheScopeTotals after = await EvictUntilAsync(scope, limits.Holds, EvictionReason.Trim, cancellationToken).ConfigureAwait(false);
        return before.Count - after.Count;
    }

    public async ValueTask<int> PurgeAsync(string scopeKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        IReadOnlyList<ImageCacheEntry> entries = await _store.ListAsync(scopeKey, cancellationToken).ConfigureAwait(false);
        int evicted = 0;
        foreach (ImageCacheEntry entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await EvictCoreAsync(entry, EvictionReason.Purge, CancellationToken.None).ConfigureAwait(false))
            {
                evicted++;
            }
        }

        return evicted;
    }

    public async ValueTask<bool> EvictAsync(ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();

        // The caller's object may be stale: only the entry the store holds for that volume, with that id, is evicted.
        ImageCacheEntry? stored = await _store.FindByVolumeIdAsync(entry.VolumeId, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Id != entry.Id)
        {
            return false;
        }

        return await EvictCoreAsync(stored, EvictionReason.Manual, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Evicts the scope's least recently used entries, skipping those in use or whose volume cannot be deleted, until
    /// <paramref name="done"/> holds or no candidate is left. Returns the totals after.
    /// </summary>
    private async ValueTask<CacheScopeTotals> EvictUntilAsync(
        CacheScope scope, Func<CacheScopeTotals, bool> done, EvictionReason reason, CancellationToken cancellationToken)
    {
        CacheScopeTotals totals = await _store.GetTotalsAsync(scope.Key, cancellationToken).ConfigureAwait(false);
        HashSet<long>? skipped = null;
        int quarantineRetries = 0;
        while (!done(totals))
        {
            cancellationToken.ThrowIfCancellationRequested();
            int wanted = (skipped?.Count ?? 0) + 1;
            IReadOnlyList<ImageCacheEntry> candidates;
            try
            {
                candidates = await _store.GetLeastRecentlyUsedAsync(scope.Key, wanted, cancellationToken).ConfigureAwait(false);
            }
            catch (CacheEntryStoreException ex) when (ex.QuarantinedEntryIds.Count > 0 && ++quarantineRetries < MaxQuarantineRetries)
            {
                // The quarantined rows left the scope's totals: read them again, then the candidates.
                NoteQuarantined(ex);
                totals = await _store.GetTotalsAsync(scope.Key, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ImageCacheEntry? victim = candidates.FirstOrDefault(c => skipped is null || !skipped.Contains(c.Id));
            if (victim is null)
            {
                break;
            }

            if (await EvictCoreAsync(victim, reason, CancellationToken.None).ConfigureAwait(false))
            {
                totals = new CacheScopeTotals(totals.Count - 1, totals.SizeGb - victim.SizeGb);
            }
            else
            {
                (skipped ??= []).Add(victim.Id);
            }
        }

        return totals;
    }

    /// <summary>
    /// Evicts one entry: checks that its volume is the entry's cache volume, deletes it, then removes the entry and sends
    /// one evict. A volume that is not the entry's (a tampered or stale entry) is never deleted: the entry alone is
    /// dropped; a volume that is already gone is not deleted either. Not cancellable once begun, so that an entry never
    /// outlives its volume. Returns <see langword="false"/> when the entry is in use, already gone, or its volume could
    /// not be checked or deleted (then the entry is kept, so the volume is not lost track of). <paramref name="checkedAs"/>
    /// is what a check made just before found, when the caller made one (a missing or untrusted volume is not asked again).
    /// </summary>
    internal async ValueTask<bool> EvictCoreAsync(ImageCacheEntry entry, EvictionReason reason, CancellationToken cancellationToken, CacheVolumeCheck? checkedAs = null)
    {
        if (!await TryBeginRemovalAsync(entry).ConfigureAwait(false))
        {
            Log.EvictionSkippedInUse(_logger, entry.Id, entry.VolumeId);
            return false;
        }

        try
        {
            try
            {
                CacheVolumeCheck check = checkedAs is { } known and not CacheVolumeCheck.Trusted
                    ? known
                    : await CheckVolumeAsync(entry, cancellationToken).ConfigureAwait(false);
                if (check == CacheVolumeCheck.Untrusted)
                {
                    reason = EvictionReason.Untrusted;
                }
                else if (check == CacheVolumeCheck.Trusted)
                {
                    IVolumeDriver driver = DriverFor(entry.Scope);
                    await driver.DeleteVolumeAsync(entry.VolumeId, cancellationToken).ConfigureAwait(false);
                    Forget(entry);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.CacheVolumeDeleteFailed(_logger, ex, entry.VolumeId, entry.Id);
                return false;
            }

            return await RemoveEntryAsync(entry, reason).ConfigureAwait(false);
        }
        finally
        {
            await EndRemovalAsync(entry).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Begins the removal of an entry: in this process, then in the store's coordination, which refuses it while any
    /// process or host pins the entry or removes it. A store that cannot be asked refuses too.
    /// </summary>
    private async ValueTask<bool> TryBeginRemovalAsync(ImageCacheEntry entry)
    {
        if (!_pins.TryBeginEviction(entry.Id))
        {
            return false;
        }

        bool begun = false;
        try
        {
            // This process's own idle pin would make the store refuse: it goes first (no request joins it meanwhile).
            await ClosePinAsync(entry.Id).ConfigureAwait(false);
            begun = await _coordination.TryBeginRemovalAsync(entry.Id, _holder, _time.GetUtcNow(), _options.CurrentValue.FillLeaseDuration, CancellationToken.None).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex)
        {
            Log.StoreUnavailable(_logger, ex, entry.ImageId, entry.ScopeKey);
        }
        finally
        {
            if (!begun)
            {
                _pins.EndEviction(entry.Id);
            }
        }

        return begun;
    }

    /// <summary>Ends a removal begun by <see cref="TryBeginRemovalAsync"/>; a mark the store could not end runs out by itself.</summary>
    private async ValueTask EndRemovalAsync(ImageCacheEntry entry)
    {
        try
        {
            await _coordination.EndRemovalAsync(entry.Id, _holder, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.RemovalMarkEndFailed(_logger, ex, entry.Id);
        }
        finally
        {
            _pins.EndEviction(entry.Id);
        }
    }

    /// <summary>Removes an entry whose volume is gone (or going), sending one evict when this call removed it.</summary>
    private async ValueTask<bool> RemoveEntryAsync(ImageCacheEntry entry, EvictionReason reason)
    {
        if (!await _store.RemoveAsync(entry.Id, CancellationToken.None).ConfigureAwait(false))
        {
            return false;
        }

        Forget(entry);
        Log.CacheEntryEvicted(_logger, entry.Id, entry.ImageId, entry.VolumeId, entry.SizeGb, entry.ScopeKey, reason);
        _metrics.Evicted(entry.Scope.Backend, reason);
        CountersFor(entry.Scope).Evicted(reason);
        await RefreshTotalsAsync(entry.Scope, CancellationToken.None).ConfigureAwait(false);
        await NotifyAsync(ImageVolumeCacheEventTypes.Evict, entry.ImageId, entry.Scope, CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}
