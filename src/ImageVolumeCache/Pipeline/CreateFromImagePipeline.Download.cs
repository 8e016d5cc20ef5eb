using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>Downloading an image into a volume, with verification as it streams.</summary>
public sealed partial class CreateFromImagePipeline
{
    private async ValueTask DownloadIntoTargetAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        long started = run.Now();
        try
        {
            await run.Driver.CreateVolumeAsync(run.Target, cancellationToken).ConfigureAwait(false);
            await CopyImageAsync(run, run.Target.Id, image, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await CleanupAsync(run.Driver, run.Target.Id, run.Target.Backend).ConfigureAwait(false);
            throw;
        }

        run.Record(PipelineStep.Download, started);
    }

    /// <summary>
    /// Streams the image into an existing volume, checking its length and checksum. An exception that came from the image
    /// side is remembered in <see cref="PipelineRun.ImageFailure"/>.
    /// </summary>
    private async ValueTask CopyImageAsync(PipelineRun run, string volumeId, ImageInfo image, CancellationToken cancellationToken)
    {
        Stream source;
        try
        {
            source = await _images.OpenReadAsync(run.Request.Requester, image.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run.ImageFailure = ex;
            throw;
        }

        VerifyingImageStream verifying;
        try
        {
            verifying = new VerifyingImageStream(source, image);
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
                await run.Driver.CopyImageToVolumeAsync(volumeId, image, verifying, cancellationToken).ConfigureAwait(false);
                await verifying.DrainAndVerifyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (verifying.Failure is not null)
            {
                run.ImageFailure = verifying.Failure;
                throw;
            }
            finally
            {
                _metrics.Downloaded(run.Target.Backend, verifying.BytesRead);
            }
        }
    }
}
