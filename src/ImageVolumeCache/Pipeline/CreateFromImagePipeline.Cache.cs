using ImageVolumeCache.Caching;
using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>The cache step: clone from an entry on a hit, make the entry on a miss when there is room.</summary>
public sealed partial class CreateFromImagePipeline
{
    private async ValueTask<CreateVolumeFromImageResult> CreateThroughCacheAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        long started = run.Now();
        CacheEntryLease? lease = await _cache.AcquireAsync(run.Scope, image, cancellationToken).ConfigureAwait(false);
        run.Record(PipelineStep.CacheLookup, started);
        if (lease is null)
        {
            return await CreateOnMissAsync(run, image, cancellationToken).ConfigureAwait(false);
        }

        ImageCacheEntry entry = lease.Entry;
        EvictionReason reason;
        await using (lease.ConfigureAwait(false))
        {
            try
            {
                await CloneFromEntryAsync(run, entry, cancellationToken).ConfigureAwait(false);
                return Finish(run, image, CreateFromImagePath.CacheHit, entry);
            }
            catch (CloneLimitReachedException)
            {
                Log.CloneLimitReached(_logger, entry.VolumeId, entry.Id);
                reason = EvictionReason.CloneLimit;
            }
            catch (VolumeNotFoundException ex) when (ex.VolumeId == entry.VolumeId)
            {
                Log.CacheVolumeMissing(_logger, entry.VolumeId, entry.Id);
                reason = EvictionReason.VolumeMissing;
            }
        }

        // The entry cannot be cloned from: drop it (unless other requests still clone from it) and run the cache step
        // once more, as a miss.
        await _cache.EvictCoreAsync(entry, reason, CancellationToken.None).ConfigureAwait(false);
        await _cache.RecordMissAsync(run.Scope, image, cancellationToken).ConfigureAwait(false);
        return await CreateOnMissAsync(run, image, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CreateVolumeFromImageResult> CreateOnMissAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        int sizeGb = image.MinimumSizeGb;
        long started = run.Now();
        bool room = await _cache.EnsureSpaceAsync(run.Scope, sizeGb, cancellationToken).ConfigureAwait(false);
        run.Record(PipelineStep.EnsureSpace, started);

        CacheEntryLease? lease = room ? await TryCreateEntryAsync(run, image, sizeGb, cancellationToken).ConfigureAwait(false) : null;
        if (lease is null)
        {
            await DownloadIntoTargetAsync(run, image, cancellationToken).ConfigureAwait(false);
            return Finish(run, image, CreateFromImagePath.CacheMissNotCached, entry: null);
        }

        await using (lease.ConfigureAwait(false))
        {
            await CloneFromEntryAsync(run, lease.Entry, cancellationToken).ConfigureAwait(false);
            return Finish(run, image, CreateFromImagePath.CacheMissCreated, lease.Entry);
        }
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
        _cache.BeginCacheVolume(cacheVolume.Id);
        try
        {
            await run.Driver.CreateVolumeAsync(cacheVolume, cancellationToken).ConfigureAwait(false);
            await CopyImageAsync(run, cacheVolume.Id, image, cancellationToken).ConfigureAwait(false);
            ImageCacheEntry? entry = await _cache.CreateEntryAsync(run.Scope, image, cacheVolume.Id, sizeGb, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                Log.CacheEntryLostRace(_logger, image.Id, run.Scope.Key, cacheVolume.Id);
                await CleanupAsync(run.Driver, cacheVolume.Id, run.Target.Backend).ConfigureAwait(false);
                return null;
            }

            // Only a purge racing with this request can take the entry away before the pin; then the purge deletes it.
            return _cache.TryPin(entry);
        }
        catch (Exception ex) when (IsCacheSideFailure(run, ex))
        {
            Log.CacheEntryCreationFailed(_logger, ex, image.Id, run.Scope.Key);
            await CleanupAsync(run.Driver, cacheVolume.Id, run.Target.Backend).ConfigureAwait(false);
            return null;
        }
        catch
        {
            await CleanupAsync(run.Driver, cacheVolume.Id, run.Target.Backend).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _cache.EndCacheVolume(cacheVolume.Id);
            run.Record(PipelineStep.CreateCacheEntry, started);
        }
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
    /// Clones the target from a cache volume at the entry's size, then grows it to the requested size. The target is
    /// always the clone, never the source, so the user's volume never depends on the cache. On failure the target is deleted.
    /// </summary>
    private async ValueTask CloneFromEntryAsync(PipelineRun run, ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        VolumeSpec target = run.Target;
        long started = run.Now();
        try
        {
            int cloneSize = Math.Min(entry.SizeGb, target.SizeGb);
            await run.Driver.CloneVolumeAsync(target with { SizeGb = cloneSize }, entry.VolumeId, cancellationToken).ConfigureAwait(false);
            run.Record(PipelineStep.CloneFromCache, started);
            if (target.SizeGb > cloneSize)
            {
                started = run.Now();
                await run.Driver.ExtendVolumeAsync(target.Id, target.SizeGb, cancellationToken).ConfigureAwait(false);
                run.Record(PipelineStep.Extend, started);
            }
        }
        catch
        {
            await CleanupAsync(run.Driver, target.Id, target.Backend).ConfigureAwait(false);
            throw;
        }
    }
}
