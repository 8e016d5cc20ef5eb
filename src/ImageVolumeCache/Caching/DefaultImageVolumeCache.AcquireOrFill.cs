using System.Globalization;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// The fill protocol, behind one call: a lookup that pins a hit, the single flight of misses per (scope, image), room
/// reserved for the fill, the "being filled" mark that reconciliation respects, the new entry pinned for its maker's
/// clone, and exactly one hit or miss per lookup. The caller supplies only the fill and the clone
/// (<see cref="ICacheClient{TState}"/>); the order of the steps, which keeps all of this correct, lives here.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    /// <summary>The fills in progress in this process, one per (scope, image).</summary>
    private readonly CacheFillFlights _fills = new();

    /// <summary>
    /// Serves one request through the cache. A hit clones the entry. A miss joins the single flight for (scope, image):
    /// the first request leads the fill (one miss, one fill, one entry) and clones from its new entry; the others wait
    /// for it, then look up again and clone the new entry (a hit). When the leader fails, the waiters look up again and
    /// one of them leads the next fill; when the leader made no entry (no room, or a cache-side failure), each waiter is
    /// told to download instead of starting fills of its own. An entry whose volume proves unusable (gone, at its clone
    /// limit) is evicted and the request goes on as a miss, once.
    /// </summary>
    /// <returns>What was done; on <see cref="CacheOutcome.NotCached"/> and <see cref="CacheOutcome.HitCloneFailed"/> the caller downloads.</returns>
    internal async ValueTask<CacheResult> AcquireOrFillAsync<TState>(
        CacheScope scope, ImageInfo image, ICacheClient<TState> client, TState state, CancellationToken cancellationToken)
    {
        bool missSent = false;
        while (true)
        {
            long started = _time.GetTimestamp();
            client.StepStarted(state, PipelineStep.CacheLookup, image);
            CacheLookup lookup = await LookUpAsync(scope, image, cancellationToken).ConfigureAwait(false);
            if (lookup.Lease is null && !lookup.NoFill)
            {
                if (!_fills.TryLead(scope.Key, image.Id, out CacheFill fill))
                {
                    client.StepFinished(state, PipelineStep.CacheLookup, started);
                    CacheFillOutcome waited = await WaitForFillAsync(scope, image, fill, client, state, cancellationToken).ConfigureAwait(false);
                    if (waited == CacheFillOutcome.Refused)
                    {
                        await NotCachedAsync(scope, image, missSent, cancellationToken).ConfigureAwait(false);
                        throw new ImageUnacceptableException(image.Id, fill.Refusal!.Message);
                    }

                    if (waited != CacheFillOutcome.NotCached)
                    {
                        continue;
                    }

                    Log.CacheFillMadeNoEntry(_logger, image.Id, scope.Key, client.TargetId(state));
                    return await NotCachedAsync(scope, image, missSent, cancellationToken).ConfigureAwait(false);
                }

                // This request leads. The previous fill may have recorded its entry since the lookup above; the leader
                // looks up once more when it holds the fill lease (TakeFillLeaseAsync), and finds it then.
                client.StepFinished(state, PipelineStep.CacheLookup, started);
                return await LeadFillAsync(scope, image, fill, missSent, client, state, cancellationToken).ConfigureAwait(false);
            }

            client.StepFinished(state, PipelineStep.CacheLookup, started);
            if (lookup.Lease is not { } lease)
            {
                // No entry, and the lookup said not to fill (NoFill): the old version holds the scope's only slot for
                // this image, and caching the new one would evict other images for an entry that cannot be recorded, so
                // the stale entry costs its own slot and nothing more. Or the store is unreachable: the request is served
                // without the cache.
                return await NotCachedAsync(scope, image, missSent, cancellationToken).ConfigureAwait(false);
            }

            switch (await CloneUnderPinAsync(lease, image, client, state, cancellationToken).ConfigureAwait(false))
            {
                case CacheCloneOutcome.Cloned:
                    return new CacheResult(CacheOutcome.Hit, lease.Entry);
                case CacheCloneOutcome.Failed:
                    // As in Cinder, a hit whose clone fails is served by a download; the entry stays for the next request.
                    return new CacheResult(CacheOutcome.HitCloneFailed);
            }

            // The entry's volume was unusable and is evicted: this lookup counts as a miss.
            await RecordMissAsync(scope, image, cancellationToken).ConfigureAwait(false);
            if (missSent)
            {
                // A second unusable entry in one request: stop trying the cache.
                return new CacheResult(CacheOutcome.NotCached);
            }

            missSent = true;
        }
    }

    /// <summary>
    /// A lookup that survives an unreachable store: the failure is logged and the request is served by a download
    /// without caching (nothing is made in the cache, so nothing can leak), and the next request tries the store again.
    /// </summary>
    private async ValueTask<CacheLookup> LookUpAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        try
        {
            return await TryAcquireAsync(scope, image, cancellationToken).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.StoreUnavailable(_logger, ex, image.Id, scope.Key);
            return new CacheLookup(null, NoFill: true);
        }
    }

    private async ValueTask<CacheFillOutcome> WaitForFillAsync<TState>(
        CacheScope scope, ImageInfo image, CacheFill fill, ICacheClient<TState> client, TState state, CancellationToken cancellationToken)
    {
        Log.WaitingForCacheFill(_logger, image.Id, scope.Key);
        long started = _time.GetTimestamp();
        client.StepStarted(state, PipelineStep.CacheFillWait, image);
        try
        {
            return await fill.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            client.StepFinished(state, PipelineStep.CacheFillWait, started);
        }
    }

    /// <summary>A miss that makes no entry: sends its miss unless it did already.</summary>
    private async ValueTask<CacheResult> NotCachedAsync(CacheScope scope, ImageInfo image, bool missSent, CancellationToken cancellationToken)
    {
        if (!missSent)
        {
            await RecordMissAsync(scope, image, cancellationToken).ConfigureAwait(false);
        }

        return new CacheResult(CacheOutcome.NotCached);
    }

    /// <summary>
    /// Has the caller clone from a pinned entry, then releases the pin; an entry whose volume proved unusable is evicted
    /// (once no other request clones from it).
    /// </summary>
    private async ValueTask<CacheCloneOutcome> CloneUnderPinAsync<TState>(
        CacheEntryLease lease, ImageInfo image, ICacheClient<TState> client, TState state, CancellationToken cancellationToken)
    {
        ImageCacheEntry entry = lease.Entry;
        CacheCloneOutcome outcome;
        await using (lease.ConfigureAwait(false))
        {
            outcome = await client.CloneAsync(state, image, entry, cancellationToken).ConfigureAwait(false);
        }

        EvictionReason? unusable = outcome switch
        {
            CacheCloneOutcome.CloneLimitReached => EvictionReason.CloneLimit,
            CacheCloneOutcome.SourceMissing => EvictionReason.VolumeMissing,
            _ => null,
        };
        if (unusable is { } reason)
        {
            if (reason == EvictionReason.CloneLimit)
            {
                Log.CloneLimitReached(_logger, entry.VolumeId, entry.Id);
            }
            else
            {
                Log.CacheVolumeMissing(_logger, entry.VolumeId, entry.Id);
            }

            bool evicted = false;
            try
            {
                evicted = await EvictCoreAsync(entry, reason, CancellationToken.None).ConfigureAwait(false);
            }
            catch (CacheEntryStoreException ex)
            {
                // The entry stays until the store answers again; its next lookup finds its volume unusable once more.
                Log.StoreUnavailable(_logger, ex, image.Id, entry.ScopeKey);
            }

            if (!evicted)
            {
                // The unusable entry stays (other requests still clone from it, or it could not be removed): it holds the
                // scope's slot for the image, so a fill could not be recorded. The request downloads instead.
                return CacheCloneOutcome.Failed;
            }
        }

        return outcome;
    }

    /// <summary>
    /// Leads the fill: takes the store's fill lease (waiting while another process or host fills, then cloning what it
    /// recorded), then one miss, then (when there is room) one cache volume filled and recorded, then this request's
    /// clone of it. The fill's outcome is set as soon as the entry is recorded (or known not to be made), before the
    /// clone, so waiters clone in parallel with it; a throw sets <see cref="CacheFillOutcome.LeaderFailed"/>.
    /// </summary>
    private async ValueTask<CacheResult> LeadFillAsync<TState>(
        CacheScope scope, ImageInfo image, CacheFill fill, bool missSent, ICacheClient<TState> client, TState state, CancellationToken cancellationToken)
    {
        CacheFillOutcome outcome = CacheFillOutcome.LeaderFailed;
        ImageUnacceptableException? refusal = null;
        CacheEntryLease? lease = null;
        CacheLookup elsewhere = default;
        FillLease? fillLease = null;
        try
        {
            (fillLease, elsewhere) = await TakeFillLeaseAsync(scope, image, client, state, cancellationToken).ConfigureAwait(false);
            if (fillLease is null)
            {
                outcome = elsewhere.Lease is null ? CacheFillOutcome.NotCached : CacheFillOutcome.Created;
            }
            else
            {
                if (!missSent)
                {
                    await RecordMissAsync(scope, image, cancellationToken).ConfigureAwait(false);
                    missSent = true;
                }

                ImageInfo prepared;
                try
                {
                    prepared = await client.PrepareFillAsync(state, image, cancellationToken).ConfigureAwait(false);
                }
                catch (ImageUnacceptableException ex) when (client.IsRefusedForEveryone(state, ex))
                {
                    outcome = CacheFillOutcome.Refused;
                    refusal = ex;
                    throw;
                }

                lease = await TryFillAsync(scope, prepared, fillLease, client, state, cancellationToken).ConfigureAwait(false);
                outcome = lease is null ? CacheFillOutcome.NotCached : CacheFillOutcome.Created;
            }
        }
        catch (Exception ex) when (NoteFillFailed(scope, image, ex))
        {
            throw; // never reached: the filter only notes the failure
        }
        finally
        {
            try
            {
                if (fillLease is not null)
                {
                    // Only a fill this process made is counted: without the lease, another process or host filled (and counts it).
                    _metrics.FillEnded(scope.Backend, FillOutcomeTag(outcome));

                    // The lease goes before the waiters wake: a waiter that leads the next fill (this one failed or was
                    // cancelled) takes the lease at once instead of finding it still held and giving up on the cache.
                    await fillLease.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _fills.Complete(scope.Key, image.Id, fill, outcome, refusal);
            }
        }

        if (fillLease is null)
        {
            // Another process or host filled it meanwhile (this lookup was a hit), or there is to be no fill.
            if (elsewhere.Lease is not { } hit)
            {
                return await NotCachedAsync(scope, image, missSent, cancellationToken).ConfigureAwait(false);
            }

            return await CloneUnderPinAsync(hit, image, client, state, cancellationToken).ConfigureAwait(false) switch
            {
                CacheCloneOutcome.Cloned => new CacheResult(CacheOutcome.Hit, hit.Entry),
                CacheCloneOutcome.Failed => new CacheResult(CacheOutcome.HitCloneFailed),
                _ => await NotCachedAsync(scope, image, missSent: false, cancellationToken).ConfigureAwait(false),
            };
        }

        // Without an entry, or with one whose volume could not be cloned (gone already, say, evicted by another process
        // sharing the store), the request downloads.
        return lease is not null && await CloneUnderPinAsync(lease, image, client, state, cancellationToken).ConfigureAwait(false) == CacheCloneOutcome.Cloned
            ? new CacheResult(CacheOutcome.Filled, lease.Entry)
            : new CacheResult(CacheOutcome.NotCached);
    }

    /// <summary>Makes room and the entry; <see langword="null"/> when there is no room or a cache-side failure stopped it.</summary>
    private async ValueTask<CacheEntryLease?> TryFillAsync<TState>(
        CacheScope scope, ImageInfo image, FillLease fillLease, ICacheClient<TState> client, TState state, CancellationToken cancellationToken)
    {
        int sizeGb = image.MinimumSizeGb;
        VolumeSpec cacheVolume = NewCacheVolume(scope, image, sizeGb);
        long started = _time.GetTimestamp();
        client.StepStarted(state, PipelineStep.EnsureSpace, image);
        bool reserved;
        try
        {
            reserved = await ReserveSpaceAsync(scope, image, cacheVolume.Id, sizeGb, cancellationToken).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.StoreUnavailable(_logger, ex, image.Id, scope.Key);
            reserved = false;
        }

        client.StepFinished(state, PipelineStep.EnsureSpace, started);

        // The reservation lasts as long as the fill lease: it is given back when the lease is released, after the entry is
        // recorded (or the fill gave up).
        return reserved ? await TryCreateEntryAsync(scope, image, cacheVolume, fillLease, client, state, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// Has the caller make and fill a cache volume in the internal tenant, records its entry and pins it for the caller's
    /// clone. Returns <see langword="null"/> when a cache-side failure stopped it (logged, the volume deleted); a failure
    /// of the image, or a cancellation, is thrown after the volume is deleted.
    /// </summary>
    private async ValueTask<CacheEntryLease?> TryCreateEntryAsync<TState>(
        CacheScope scope, ImageInfo image, VolumeSpec cacheVolume, FillLease fillLease, ICacheClient<TState> client, TState state, CancellationToken cancellationToken)
    {
        int sizeGb = cacheVolume.SizeGb;
        long started = _time.GetTimestamp();
        client.StepStarted(state, PipelineStep.CreateCacheEntry, image);
        ImageCacheEntry? entry;
        RemovalWatch watch;
        bool filled = false;
        BeginCacheVolume(cacheVolume.Id);
        try
        {
            await client.FillAsync(state, image, cacheVolume, cancellationToken).ConfigureAwait(false);
            filled = true;
            if (!await fillLease.ConfirmAsync(cancellationToken).ConfigureAwait(false))
            {
                // Another holder took the fill over (this one was too slow to renew, or cut off): it records the entry.
                Log.FillLeaseLost(_logger, image.Id, scope.Key, cacheVolume.Id);
                await DeleteFilledVolumeAsync(scope, cacheVolume.Id).ConfigureAwait(false);
                return null;
            }

            watch = _pins.WatchRemovals();
            entry = await CreateEntryAsync(scope, image, cacheVolume.Id, sizeGb, madeHere: true, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                Log.CacheEntryLostRace(_logger, image.Id, scope.Key, cacheVolume.Id);
                await DeleteFilledVolumeAsync(scope, cacheVolume.Id).ConfigureAwait(false);
                return null;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && !IsImageFailure(ex) && !client.IsImageFailure(state, ex))
        {
            Log.CacheEntryCreationFailed(_logger, ex, image.Id, scope.Key);
            NoteFillFailed(scope, image, ex);
            if (filled)
            {
                await DeleteFilledVolumeAsync(scope, cacheVolume.Id).ConfigureAwait(false);
            }

            return null;
        }
        catch when (filled)
        {
            await DeleteFilledVolumeAsync(scope, cacheVolume.Id).ConfigureAwait(false);
            throw;
        }
        finally
        {
            EndCacheVolume(cacheVolume.Id);
            client.StepFinished(state, PipelineStep.CreateCacheEntry, started);
        }

        // From here the entry owns the volume. Another request making room can evict the new entry before it is pinned;
        // that request then deleted the volume, and this one downloads into its volume like any request that made no entry.
        CacheEntryLease? lease;
        try
        {
            lease = await TryPinAsync(entry, watch).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex)
        {
            // The entry and its volume stay; the next lookup finds them once the store answers again.
            Log.StoreUnavailable(_logger, ex, image.Id, scope.Key);
            return null;
        }

        if (lease is null)
        {
            Log.NewCacheEntryEvicted(_logger, entry.Id, image.Id, cacheVolume.Id);
        }

        return lease;
    }

    /// <summary>The <c>outcome</c> tag of the fills counter.</summary>
    private static string FillOutcomeTag(CacheFillOutcome outcome) => outcome switch
    {
        CacheFillOutcome.Created => "created",
        CacheFillOutcome.NotCached => "not_cached",
        CacheFillOutcome.Refused => "refused",
        _ => "failed",
    };

    private static bool IsImageFailure(Exception ex) =>
        ex is ImageNotFoundException or ImageDataCorruptException or ImageUnacceptableException;

    /// <summary>Deletes a cache volume the fill made but no entry holds; a failure is logged with the volume id and never thrown.</summary>
    private async ValueTask DeleteFilledVolumeAsync(CacheScope scope, string volumeId)
    {
        try
        {
            await DriverFor(scope).DeleteVolumeAsync(volumeId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.CleanupFailed(_logger, ex, volumeId, scope.Backend);
        }
    }

    /// <summary>A new cache volume for the image in the scope: owned by the internal tenant, marked, naming the image and its version.</summary>
    private VolumeSpec NewCacheVolume(CacheScope scope, ImageInfo image, int sizeGb)
    {
        InternalTenantOptions tenant = _tenant.Tenant;
        return new VolumeSpec(Guid.NewGuid().ToString("D"), scope.Host, sizeGb)
        {
            Cluster = scope.Cluster,
            ProjectId = tenant.ProjectId!,
            UserId = tenant.UserId!,
            Metadata = new Dictionary<string, string>(3, StringComparer.Ordinal)
            {
                [CacheVolumeMetadata.CacheVolume] = "true",
                [CacheVolumeMetadata.ImageId] = image.Id,
                [CacheVolumeMetadata.ImageUpdatedAt] = image.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
            },
        };
    }
}
