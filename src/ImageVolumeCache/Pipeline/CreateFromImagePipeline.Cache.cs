using ImageVolumeCache.Caching;
using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>The cache step: clone from an entry on a hit, make the entry on a miss when there is room.</summary>
public sealed partial class CreateFromImagePipeline
{
    /// <summary>
    /// The cache step. A hit clones the entry. A miss joins the single flight for (scope, image): the first request leads
    /// the fill (one miss, one download, one entry); the others wait for it, then look up again and clone the new entry
    /// (a hit). When the leader fails, the waiters look up again and one of them leads the next fill; when the leader made
    /// no entry (no room, or a backend-side failure), each waiter downloads into its own target instead of starting
    /// fills of its own.
    /// </summary>
    private async ValueTask<CreateVolumeFromImageResult> CreateThroughCacheAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        bool missSent = false;
        while (true)
        {
            long started = run.Now();
            CacheLookup lookup = await _cache.TryAcquireAsync(run.Scope, image, cancellationToken).ConfigureAwait(false);
            CacheFill? fill = null;
            if (lookup.Lease is null && !lookup.StaleEntryKept)
            {
                if (!_cache.Fills.TryLead(run.Scope.Key, image.Id, out fill))
                {
                    run.Record(PipelineStep.CacheLookup, started);
                    if (await WaitForFillAsync(run, image, fill, cancellationToken).ConfigureAwait(false) != CacheFillOutcome.NotCached)
                    {
                        continue;
                    }

                    Log.CacheFillMadeNoEntry(_logger, image.Id, run.Scope.Key, run.Target.Id);
                    return await DownloadOnMissAsync(run, image, missSent, cancellationToken).ConfigureAwait(false);
                }

                lookup = await LookUpAgainAsLeaderAsync(run, image, fill, cancellationToken).ConfigureAwait(false);
            }

            run.Record(PipelineStep.CacheLookup, started);
            if (lookup.StaleEntryKept)
            {
                // The old version holds the scope's only slot for this image: caching the new one would evict other
                // images for an entry that cannot be recorded. The stale entry costs its own slot and nothing more.
                return await DownloadOnMissAsync(run, image, missSent, cancellationToken).ConfigureAwait(false);
            }

            if (lookup.Lease is not { } lease)
            {
                return await LeadFillAsync(run, image, fill!, missSent, cancellationToken).ConfigureAwait(false);
            }

            switch (await TryCloneFromLeaseAsync(run, image, lease, cancellationToken).ConfigureAwait(false))
            {
                case CacheCloneOutcome.Cloned:
                    return Finish(run, image, CreateFromImagePath.CacheHit, lease.Entry);
                case CacheCloneOutcome.Failed:
                    // As in Cinder, a hit whose clone fails is served by a download; the entry stays for the next request.
                    await DownloadIntoTargetAsync(run, image, cancellationToken).ConfigureAwait(false);
                    return Finish(run, image, CreateFromImagePath.Download, entry: null);
            }

            // The source was unusable and is evicted: this request continues as a miss.
            await _cache.RecordMissAsync(run.Scope, image, cancellationToken).ConfigureAwait(false);
            if (missSent)
            {
                // A second unusable entry in one request: stop trying the cache.
                return await DownloadOnMissAsync(run, image, missSent: true, cancellationToken).ConfigureAwait(false);
            }

            missSent = true;
        }
    }

    /// <summary>
    /// The leader looks up once more: the previous fill may have recorded its entry between this request's lookup and its
    /// lead. When it finds one (or a stale entry that stays), its fill ends at once (waiters look up and find it too).
    /// </summary>
    private async ValueTask<CacheLookup> LookUpAgainAsLeaderAsync(PipelineRun run, ImageInfo image, CacheFill fill, CancellationToken cancellationToken)
    {
        CacheLookup lookup;
        try
        {
            lookup = await _cache.TryAcquireAsync(run.Scope, image, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _cache.Fills.Complete(run.Scope.Key, image.Id, fill, CacheFillOutcome.LeaderFailed);
            throw;
        }

        if (lookup.Lease is not null)
        {
            _cache.Fills.Complete(run.Scope.Key, image.Id, fill, CacheFillOutcome.Created);
        }
        else if (lookup.StaleEntryKept)
        {
            _cache.Fills.Complete(run.Scope.Key, image.Id, fill, CacheFillOutcome.NotCached);
        }

        return lookup;
    }

    private async ValueTask<CacheFillOutcome> WaitForFillAsync(PipelineRun run, ImageInfo image, CacheFill fill, CancellationToken cancellationToken)
    {
        Log.WaitingForCacheFill(_logger, image.Id, run.Scope.Key);
        long started = run.Now();
        try
        {
            return await fill.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            run.Record(PipelineStep.CacheFillWait, started);
        }
    }

    /// <summary>
    /// Clones the target from a pinned entry, grows it to the requested size, and releases the pin. A source that proved
    /// unusable (clone limit, volume gone) is evicted; any other failure of the clone (but a cancellation, or a target id
    /// that is taken) leaves the entry as it is. In both cases the clone made nothing, and the caller downloads instead.
    /// A failure to grow the target is the request's failure: the target is deleted and the exception thrown.
    /// </summary>
    private async ValueTask<CacheCloneOutcome> TryCloneFromLeaseAsync(PipelineRun run, ImageInfo image, CacheEntryLease lease, CancellationToken cancellationToken)
    {
        ImageCacheEntry entry = lease.Entry;
        EvictionReason? unusable = null;
        await using (lease.ConfigureAwait(false))
        {
            try
            {
                await CloneFromEntryAsync(run, entry, cancellationToken).ConfigureAwait(false);
            }
            catch (CloneLimitReachedException)
            {
                Log.CloneLimitReached(_logger, entry.VolumeId, entry.Id);
                unusable = EvictionReason.CloneLimit;
            }
            catch (VolumeNotFoundException ex) when (ex.VolumeId == entry.VolumeId)
            {
                Log.CacheVolumeMissing(_logger, entry.VolumeId, entry.Id);
                unusable = EvictionReason.VolumeMissing;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not VolumeAlreadyExistsException && !cancellationToken.IsCancellationRequested)
            {
                Log.CacheCloneFailed(_logger, ex, entry.VolumeId, entry.Id, run.Target.Id, image.Id);
                return CacheCloneOutcome.Failed;
            }

            if (unusable is null)
            {
                await ExtendClonedTargetAsync(run, entry, cancellationToken).ConfigureAwait(false);
                return CacheCloneOutcome.Cloned;
            }
        }

        await _cache.EvictCoreAsync(entry, unusable.Value, CancellationToken.None).ConfigureAwait(false);
        return CacheCloneOutcome.SourceUnusable;
    }

    /// <summary>
    /// Leads the fill: one miss, then (when there is room) one cache volume filled and recorded, cloned into the target.
    /// The fill's outcome is set as soon as the entry is recorded (or known not to be made), before this request's own
    /// clone, so waiters clone in parallel with it; a throw sets <see cref="CacheFillOutcome.LeaderFailed"/>.
    /// </summary>
    private async ValueTask<CreateVolumeFromImageResult> LeadFillAsync(PipelineRun run, ImageInfo image, CacheFill fill, bool missSent, CancellationToken cancellationToken)
    {
        CacheFillOutcome outcome = CacheFillOutcome.LeaderFailed;
        CacheEntryLease? lease = null;
        try
        {
            if (!missSent)
            {
                await _cache.RecordMissAsync(run.Scope, image, cancellationToken).ConfigureAwait(false);
            }

            lease = await TryFillAsync(run, image, cancellationToken).ConfigureAwait(false);
            outcome = lease is null ? CacheFillOutcome.NotCached : CacheFillOutcome.Created;
        }
        finally
        {
            _cache.Fills.Complete(run.Scope.Key, image.Id, fill, outcome);
        }

        if (lease is not null && await TryCloneFromLeaseAsync(run, image, lease, cancellationToken).ConfigureAwait(false) == CacheCloneOutcome.Cloned)
        {
            return Finish(run, image, CreateFromImagePath.CacheMissCreated, lease.Entry);
        }

        // No entry, or its volume could not be cloned (gone already, say, evicted by another process sharing the store).
        return await DownloadOnMissAsync(run, image, missSent: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes room and the entry; <see langword="null"/> when there is no room or a backend-side failure stopped it.</summary>
    private async ValueTask<CacheEntryLease?> TryFillAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        int sizeGb = image.MinimumSizeGb;
        long started = run.Now();
        SpaceReservation? reservation = await _cache.ReserveSpaceAsync(run.Scope, sizeGb, cancellationToken).ConfigureAwait(false);
        run.Record(PipelineStep.EnsureSpace, started);
        if (reservation is null)
        {
            return null;
        }

        using (reservation)
        {
            return await TryCreateEntryAsync(run, image, sizeGb, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A miss that makes no entry: sends its miss unless it did already, then downloads into the target.</summary>
    private async ValueTask<CreateVolumeFromImageResult> DownloadOnMissAsync(PipelineRun run, ImageInfo image, bool missSent, CancellationToken cancellationToken)
    {
        if (!missSent)
        {
            await _cache.RecordMissAsync(run.Scope, image, cancellationToken).ConfigureAwait(false);
        }

        await DownloadIntoTargetAsync(run, image, cancellationToken).ConfigureAwait(false);
        return Finish(run, image, CreateFromImagePath.CacheMissNotCached, entry: null);
    }

    /// <summary>
    /// Makes a cache volume in the internal tenant, fills it and records its entry, pinned for this request's clone.
    /// Returns <see langword="null"/> when a backend-side failure stopped it (logged, volume deleted); an image-side
    /// failure or a cancellation is thrown after the volume is deleted.
    /// </summary>
    private async ValueTask<CacheEntryLease?> TryCreateEntryAsync(PipelineRun run, ImageInfo image, int sizeGb, CancellationToken cancellationToken)
    {
        VolumeSpec cacheVolume = NewCacheVolume(run.Target, image, sizeGb);
        long started = run.Now();
        ImageCacheEntry? entry;
        RemovalWatch watch;
        bool made = false;
        _cache.BeginCacheVolume(cacheVolume.Id);
        try
        {
            await run.Driver.CreateVolumeAsync(cacheVolume, cancellationToken).ConfigureAwait(false);
            made = true;
            await CopyImageAsync(run, cacheVolume.Id, image, cancellationToken).ConfigureAwait(false);
            watch = _cache.WatchRemovals();
            entry = await _cache.CreateEntryAsync(run.Scope, image, cacheVolume.Id, sizeGb, madeHere: true, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                Log.CacheEntryLostRace(_logger, image.Id, run.Scope.Key, cacheVolume.Id);
                await CleanupAsync(run.Driver, cacheVolume.Id, run.Backend, made: true).ConfigureAwait(false);
                return null;
            }
        }
        catch (Exception ex) when (IsCacheSideFailure(run, ex))
        {
            Log.CacheEntryCreationFailed(_logger, ex, image.Id, run.Scope.Key);
            await CleanupAsync(run.Driver, cacheVolume.Id, run.Backend, made).ConfigureAwait(false);
            return null;
        }
        catch
        {
            await CleanupAsync(run.Driver, cacheVolume.Id, run.Backend, made).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _cache.EndCacheVolume(cacheVolume.Id);
            run.Record(PipelineStep.CreateCacheEntry, started);
        }

        // From here the entry owns the volume. Another request making room can evict the new entry before it is pinned;
        // that request then deleted the volume, and this one downloads into its target like any request that made no entry.
        CacheEntryLease? lease = await _cache.TryPinAsync(entry, watch).ConfigureAwait(false);
        if (lease is null)
        {
            Log.NewCacheEntryEvicted(_logger, entry.Id, image.Id, cacheVolume.Id);
        }

        return lease;
    }

    private static bool IsCacheSideFailure(PipelineRun run, Exception ex) =>
        ex is not OperationCanceledException
        && ex is not ImageNotFoundException
        && ex is not ImageDataCorruptException
        && ex is not ImageUnacceptableException
        && run.ImageFailure is null;

    private VolumeSpec NewCacheVolume(VolumeSpec target, ImageInfo image, int sizeGb)
    {
        InternalTenantOptions tenant = _tenant.Tenant;
        return new VolumeSpec(Guid.NewGuid().ToString("D"), target.Host, sizeGb)
        {
            Cluster = target.Cluster,
            ProjectId = tenant.ProjectId!,
            UserId = tenant.UserId!,
            Metadata = new Dictionary<string, string>(3, StringComparer.Ordinal)
            {
                [CacheVolumeMetadata.CacheVolume] = "true",
                [CacheVolumeMetadata.ImageId] = image.Id,
                [CacheVolumeMetadata.ImageUpdatedAt] = image.UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>
    /// Clones the target from a cache volume at the entry's size (the target is always the clone, never the source, so the
    /// user's volume never depends on the cache). A clone that fails made nothing, so nothing is deleted.
    /// </summary>
    private static async ValueTask CloneFromEntryAsync(PipelineRun run, ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        VolumeSpec target = run.Target;
        long started = run.Now();
        int cloneSize = Math.Min(entry.SizeGb, target.SizeGb);
        VolumeSpec clone = cloneSize == target.SizeGb ? target : target with { SizeGb = cloneSize };
        await run.Driver.CloneVolumeAsync(clone, entry.VolumeId, cancellationToken).ConfigureAwait(false);
        run.Record(PipelineStep.CloneFromCache, started);
    }

    /// <summary>Grows a target cloned at the entry's size to the requested size; on failure the target (made by this request) is deleted.</summary>
    private async ValueTask ExtendClonedTargetAsync(PipelineRun run, ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        VolumeSpec target = run.Target;
        if (target.SizeGb <= entry.SizeGb)
        {
            return;
        }

        long started = run.Now();
        try
        {
            await run.Driver.ExtendVolumeAsync(target.Id, target.SizeGb, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await CleanupAsync(run.Driver, target.Id, run.Backend, made: true).ConfigureAwait(false);
            throw;
        }

        run.Record(PipelineStep.Extend, started);
    }
}
