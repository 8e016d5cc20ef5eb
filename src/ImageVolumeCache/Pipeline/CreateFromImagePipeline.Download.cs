using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>Downloading an image into a volume, with verification as it streams.</summary>
public sealed partial class CreateFromImagePipeline
{
    private async ValueTask DownloadIntoTargetAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        long started = run.Now();
        await CreateAndFillAsync(run, run.Target, image, cancellationToken).ConfigureAwait(false);
        run.Record(PipelineStep.Download, started);
    }

    /// <summary>
    /// Makes a volume and streams the image into it. On failure the volume is deleted if this call made it (a create that
    /// failed made nothing, and an id that was taken is someone else's volume), and the exception thrown.
    /// </summary>
    private async ValueTask CreateAndFillAsync(PipelineRun run, VolumeSpec volume, ImageInfo image, CancellationToken cancellationToken)
    {
        bool made = false;
        try
        {
            await run.Driver.CreateVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
            made = true;
            await CopyImageAsync(run, volume.Id, image, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await CleanupAsync(run.Driver, volume.Id, run.Backend, made).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Streams the image into an existing volume, checking its length and checksum. A download that stalls (no data for
    /// <see cref="ImageVolumeCacheOptions.DownloadStallTimeout"/>) is aborted and started over into the same volume, at
    /// most <see cref="ImageVolumeCacheOptions.DownloadRetries"/> times. An exception that came from the image side is
    /// remembered in <see cref="PipelineRun.ImageFailure"/>.
    /// </summary>
    private async ValueTask CopyImageAsync(PipelineRun run, string volumeId, ImageInfo image, CancellationToken cancellationToken)
    {
        ImageVolumeCacheOptions options = _options.CurrentValue;
        TimeSpan timeout = options.DownloadStallTimeout;
        int retries = options.DownloadRetries;
        for (int attempt = 1; ; attempt++)
        {
            using var watch = new DownloadStallWatch(_time, timeout, cancellationToken);
            try
            {
                await CopyImageOnceAsync(run, volumeId, image, watch).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (watch.Stalled && !cancellationToken.IsCancellationRequested)
            {
                // Whatever the abort surfaced as (a cancellation, or the driver's own error), a stall is the cause.
                run.ImageFailure = null;
            }

            if (attempt > retries)
            {
                Log.DownloadStalledGivingUp(_logger, image.Id, volumeId, timeout, attempt);
                var stalled = new ImageDownloadStalledException(
                    image.Id,
                    attempt,
                    $"The download of image '{image.Id}' into volume '{volumeId}' received no data for {timeout} on each of {attempt} attempts.");
                run.ImageFailure = stalled;
                throw stalled;
            }

            Log.DownloadStalledRetrying(_logger, image.Id, volumeId, timeout, attempt, retries);
            _metrics.DownloadRetried(run.Backend);
        }
    }

    private async ValueTask CopyImageOnceAsync(PipelineRun run, string volumeId, ImageInfo image, DownloadStallWatch watch)
    {
        Stream source;
        try
        {
            source = await _images.OpenReadAsync(run.Request.Requester, image.Id, watch.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run.ImageFailure = ex;
            throw;
        }

        VerifyingImageStream verifying;
        try
        {
            verifying = new VerifyingImageStream(source, image, watch);
        }
        catch (Exception ex)
        {
            await source.DisposeAsync().ConfigureAwait(false);
            run.ImageFailure = ex;
            throw;
        }

        await using (verifying.ConfigureAwait(false))
        {
            try
            {
                await run.Driver.CopyImageToVolumeAsync(volumeId, image, verifying, watch.Token).ConfigureAwait(false);
                await verifying.DrainAndVerifyAsync(watch.Token).ConfigureAwait(false);
            }
            catch (Exception) when (verifying.Failure is not null && !watch.Stalled)
            {
                run.ImageFailure = verifying.Failure;
                throw;
            }
            finally
            {
                _metrics.Downloaded(run.Backend, verifying.BytesRead);
            }
        }
    }
}
