using ImageVolumeCache.Caching;
using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>
/// The cache step. The cache runs its whole protocol behind <see cref="DefaultImageVolumeCache.AcquireOrFillAsync{TState}"/>;
/// the pipeline supplies the two things only it knows how to do: fill a cache volume with the image, and clone the
/// request's volume from an entry.
/// </summary>
public sealed partial class CreateFromImagePipeline : ICacheClient<PipelineRun>
{
    private async ValueTask<CreateVolumeFromImageResult> CreateThroughCacheAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        CacheResult cached = await _cache.AcquireOrFillAsync(run.Scope, image, this, run, cancellationToken).ConfigureAwait(false);
        switch (cached.Outcome)
        {
            case CacheOutcome.Hit:
                return Finish(run, image, CreateFromImagePath.CacheHit, cached.Entry);
            case CacheOutcome.Filled:
                return Finish(run, image, CreateFromImagePath.CacheMissCreated, cached.Entry);
            case CacheOutcome.HitCloneFailed:
                await DownloadIntoTargetAsync(run, image, cancellationToken).ConfigureAwait(false);
                return Finish(run, image, CreateFromImagePath.Download, entry: null);
            default:
                await DownloadIntoTargetAsync(run, image, cancellationToken).ConfigureAwait(false);
                return Finish(run, image, CreateFromImagePath.CacheMissNotCached, entry: null);
        }
    }

    async ValueTask<ImageInfo> ICacheClient<PipelineRun>.PrepareFillAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken) =>
        IsCopiedAsIs(image) ? image : (run.Prepared ?? await PrepareAsync(run, image, cancellationToken).ConfigureAwait(false)).Image;

    async ValueTask ICacheClient<PipelineRun>.FillAsync(PipelineRun run, ImageInfo image, VolumeSpec cacheVolume, CancellationToken cancellationToken)
    {
        await CreateAndFillAsync(run, cacheVolume, image, PipelineStep.CreateCacheEntry, cancellationToken).ConfigureAwait(false);
        run.Ended(PipelineStep.CreateCacheEntry);
    }

    bool ICacheClient<PipelineRun>.IsImageFailure(PipelineRun run, Exception exception) =>
        run.ImageFailure is not null || exception is InsufficientScratchSpaceException || run.ConversionUnavailable;

    bool ICacheClient<PipelineRun>.IsRefusedForEveryone(PipelineRun run, ImageUnacceptableException refusal) => ReferenceEquals(run.RefusedForEveryone, refusal);

    void ICacheClient<PipelineRun>.StepStarted(PipelineRun run, PipelineStep step, ImageInfo image) =>
        run.Start(step, step == PipelineStep.CreateCacheEntry ? BytesStreamed(image) : null);

    void ICacheClient<PipelineRun>.StepFinished(PipelineRun run, PipelineStep step, long startedTimestamp) => run.Record(step, startedTimestamp);

    string ICacheClient<PipelineRun>.TargetId(PipelineRun run) => run.Target.Id;

    /// <summary>
    /// Clones the target from a cache volume at the entry's size (the target is always the clone, never the source, so
    /// the user's volume never depends on the cache), then grows it to the requested size. A clone that fails made
    /// nothing; a failure to grow the clone is the request's: the target is deleted and the exception thrown.
    /// </summary>
    async ValueTask<CacheCloneOutcome> ICacheClient<PipelineRun>.CloneAsync(PipelineRun run, ImageInfo image, ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        if (run.Warming)
        {
            return CacheCloneOutcome.Cloned;
        }

        VolumeSpec target = run.Target;
        if (entry.SizeGb > target.SizeGb)
        {
            // The entry's size is the image's virtual size from its header, which the image service may not have said.
            throw new ImageUnacceptableException(
                image.Id,
                $"Image '{image.Id}' needs a volume of at least {entry.SizeGb} GB (its virtual size), but volume '{target.Id}' is {target.SizeGb} GB.");
        }

        int cloneSize = entry.SizeGb;
        long started = run.Start(PipelineStep.CloneFromCache);
        try
        {
            await run.Driver.CloneVolumeAsync(cloneSize == target.SizeGb ? target : target with { SizeGb = cloneSize }, entry.VolumeId, cancellationToken).ConfigureAwait(false);
        }
        catch (CloneLimitReachedException)
        {
            return CacheCloneOutcome.CloneLimitReached;
        }
        catch (VolumeNotFoundException ex) when (ex.VolumeId == entry.VolumeId)
        {
            return CacheCloneOutcome.SourceMissing;
        }
        catch (Exception ex) when (ex is not VolumeAlreadyExistsException && !cancellationToken.IsCancellationRequested)
        {
            Log.CacheCloneFailed(_logger, ex, entry.VolumeId, entry.Id, target.Id, image.Id);
            return CacheCloneOutcome.Failed;
        }

        run.Record(PipelineStep.CloneFromCache, started);
        if (target.SizeGb > cloneSize)
        {
            started = run.Start(PipelineStep.Extend);
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

        return CacheCloneOutcome.Cloned;
    }
}
