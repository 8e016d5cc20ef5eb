using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Images.Formats;
using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>Downloading an image into a volume (or a scratch file), with verification as it streams.</summary>
public sealed partial class CreateFromImagePipeline
{
    private async ValueTask DownloadIntoTargetAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        long started = run.Start(PipelineStep.Download, BytesStreamed(image));
        await CreateAndFillAsync(run, run.Target, image, PipelineStep.Download, cancellationToken).ConfigureAwait(false);
        run.Record(PipelineStep.Download, started);
        run.Ended(PipelineStep.Download);
    }

    /// <summary>
    /// Makes a volume holding the image, raw. An image that is copied as it is (raw, ISO, LUKS) is streamed into it, its
    /// first bytes checked before the volume is made; any other is downloaded and inspected first (once per request),
    /// then converted into it. On failure the volume is deleted if this call made it (a create that failed made nothing,
    /// and an id that was taken is someone else's volume), and the exception thrown. A stream's bytes are reported as
    /// <paramref name="step"/>'s.
    /// </summary>
    private async ValueTask CreateAndFillAsync(PipelineRun run, VolumeSpec volume, ImageInfo image, PipelineStep step, CancellationToken cancellationToken)
    {
        if (!IsCopiedAsIs(image))
        {
            PreparedImage prepared = run.Prepared ?? await PrepareAsync(run, image, cancellationToken).ConfigureAwait(false);
            await CreateAndConvertAsync(run, volume, prepared, cancellationToken).ConfigureAwait(false);
            return;
        }

        var sink = new VolumeSink(run.Driver, volume, image, cancellationToken);
        try
        {
            await DownloadAsync(run, image, sink, $"volume '{volume.Id}'", step, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await CleanupAsync(run.Driver, volume.Id, run.Backend, sink.Made).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether the image's claimed format is copied into a volume byte for byte (raw, ISO, LUKS), with no conversion.</summary>
    private static bool IsCopiedAsIs(ImageInfo image) => DiskFormatNames.IsCopiedAsIs(DiskFormatNames.FromClaim(image.DiskFormat));

    /// <summary>The bytes a download or cache fill streams itself: the image's, unless it is converted (then its own steps move them).</summary>
    private static long? BytesStreamed(ImageInfo image) => IsCopiedAsIs(image) ? image.SizeBytes : null;

    /// <summary>
    /// Streams the image into <paramref name="sink"/>, checking its length and checksum. A download that stalls (no data
    /// for <see cref="ImageVolumeCacheOptions.DownloadStallTimeout"/>), or that the image service cannot continue
    /// (<see cref="ImageDownloadRestartException"/> for the same data), is started over into the same sink, at most
    /// <see cref="ImageVolumeCacheOptions.DownloadRetries"/> times. An exception that came from the image side is
    /// remembered in <see cref="PipelineRun.ImageFailure"/>. The bytes read are reported as <paramref name="step"/>'s.
    /// </summary>
    private async ValueTask DownloadAsync(PipelineRun run, ImageInfo image, DownloadSink sink, string destination, PipelineStep step, CancellationToken cancellationToken)
    {
        ImageVolumeCacheOptions options = _options.CurrentValue;
        TimeSpan timeout = options.DownloadStallTimeout;
        int retries = options.DownloadRetries;
        long started = _time.GetTimestamp();
        for (int attempt = 1; ; attempt++)
        {
            using var watch = new DownloadStallWatch(_time, timeout, cancellationToken);
            try
            {
                long bytes = await DownloadOnceAsync(run, image, sink, watch, step).ConfigureAwait(false);
                _metrics.DownloadCompleted(run.Backend, _time.GetElapsedTime(started), bytes);
                return;
            }
            catch (Exception) when (watch.Stalled && !cancellationToken.IsCancellationRequested)
            {
                // Whatever the abort surfaced as (a cancellation, or the driver's own error), a stall is the cause.
                run.ImageFailure = null;
            }
            catch (Exception) when (run.ImageFailure is ImageDownloadRestartException { ImageChanged: false } && attempt <= retries && !cancellationToken.IsCancellationRequested)
            {
                // The image service cannot continue where it stopped but has the same data: start over into the same
                // sink, with a fresh checksum (a new verifying stream).
                run.ImageFailure = null;
                Log.DownloadRestarting(_logger, image.Id, destination, attempt, retries);
                _metrics.DownloadRetried(run.Backend);
                continue;
            }

            if (attempt > retries)
            {
                Log.DownloadStalledGivingUp(_logger, image.Id, destination, timeout, attempt);
                var stalled = new ImageDownloadStalledException(
                    image.Id,
                    attempt,
                    $"The download of image '{image.Id}' into {destination} received no data for {timeout} on each of {attempt} attempts.");
                run.ImageFailure = stalled;
                throw stalled;
            }

            Log.DownloadStalledRetrying(_logger, image.Id, destination, timeout, attempt, retries);
            _metrics.DownloadRetried(run.Backend);
        }
    }

    /// <summary>One attempt at the download; returns the number of bytes read, once they are verified.</summary>
    private async ValueTask<long> DownloadOnceAsync(PipelineRun run, ImageInfo image, DownloadSink sink, DownloadStallWatch watch, PipelineStep step)
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
            verifying = new VerifyingImageStream(source, image, watch, run.Progress, step);
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
                Stream data = sink.ChecksHead ? await CheckHeadAsync(run, image, verifying, watch.Token).ConfigureAwait(false) : verifying;
                await sink.WriteAsync(data, watch).ConfigureAwait(false);
                await verifying.DrainAndVerifyAsync(watch.Token).ConfigureAwait(false);
                return verifying.BytesRead;
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

    /// <summary>
    /// Reads the first bytes of an image copied as it is and refuses it when they are another format's (a qcow2 claimed
    /// as raw, an ISO whose system area holds another header); the stream returned gives them again, then the rest.
    /// </summary>
    private static async ValueTask<Stream> CheckHeadAsync(PipelineRun run, ImageInfo image, Stream data, CancellationToken cancellationToken)
    {
        // The head is read whatever size is claimed: a stream longer than its claim fails as it passes it.
        byte[] head = new byte[DiskImageInspector.HeadLength];
        int read = await data.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < head.Length)
        {
            Array.Resize(ref head, read);
        }

        try
        {
            DiskImageInspector.CheckHead(image.Id, head, image.DiskFormat);
        }
        catch (ImageUnacceptableException ex)
        {
            run.ImageFailure = ex;
            throw;
        }

        return new HeadReplayStream(head, data);
    }
}
