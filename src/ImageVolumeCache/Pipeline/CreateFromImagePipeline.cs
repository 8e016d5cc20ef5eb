using System.Diagnostics;
using ImageVolumeCache.Backends;
using ImageVolumeCache.Caching;
using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Images.Conversion;
using ImageVolumeCache.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache;

/// <summary>
/// Makes a volume from an image the fastest way the backend allows: the driver's own clone of the image, a clone of an
/// image-volume, a clone of a cache entry (making the entry on a miss), or a download. Resolve it from the service
/// provider after <c>AddImageVolumeCache</c>; it is thread-safe and meant to be a singleton.
/// </summary>
/// <remarks>
/// The steps and their order follow OpenStack Cinder's volume-from-image flow. A failed or cancelled request leaves
/// nothing on the backend: the target volume is deleted, and so is a half-made cache volume.
/// </remarks>
public sealed partial class CreateFromImagePipeline
{
    private readonly IImageService _images;
    private readonly VolumeBackendRegistry _backends;
    private readonly DefaultImageVolumeCache _cache;
    private readonly IOptionsMonitor<ImageVolumeCacheOptions> _options;
    private readonly InternalTenantGate _tenant;
    private readonly ImageVolumeCacheMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScratchSpace _scratch;
    private readonly QemuImgConverter _converter;

    internal CreateFromImagePipeline(
        IImageService images,
        VolumeBackendRegistry backends,
        DefaultImageVolumeCache cache,
        IOptionsMonitor<ImageVolumeCacheOptions> options,
        InternalTenantGate tenant,
        ImageVolumeCacheMetrics metrics,
        TimeProvider time,
        ILogger<CreateFromImagePipeline> logger,
        ScratchSpace scratch,
        QemuImgConverter converter)
    {
        _scratch = scratch;
        _converter = converter;
        _images = images;
        _backends = backends;
        _cache = cache;
        _options = options;
        _tenant = tenant;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Makes the requested volume from the requested image.</summary>
    /// <param name="request">The requester, the volume to make and the image.</param>
    /// <param name="cancellationToken">Cancels the request; whatever it made so far is deleted.</param>
    /// <returns>The volume, the path taken and the time each step took.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or one of its parts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The request is malformed (empty ids, a size below 1 GB) or names a backend that is not registered.</exception>
    /// <exception cref="ImageNotFoundException">The image does not exist or the requester may not see it.</exception>
    /// <exception cref="ImageUnacceptableException">
    /// The image does not fit in the requested volume, or is refused by its inspection (an unsafe image, or not the format
    /// it claims), or qemu-img could not convert it; nothing was made on the backend from it.
    /// </exception>
    /// <exception cref="InsufficientScratchSpaceException">An image that needs conversion does not fit in the scratch folder.</exception>
    /// <exception cref="ImageDataCorruptException">The image data did not match its size or checksum; nothing was cached.</exception>
    /// <exception cref="ImageDownloadRestartException">
    /// The image service could not continue an interrupted download, or the image changed while it was read, more often
    /// than <see cref="ImageVolumeCacheOptions.DownloadRetries"/> allows; nothing was cached.
    /// </exception>
    /// <exception cref="OperationCanceledException">The request was cancelled.</exception>
    public async ValueTask<CreateVolumeFromImageResult> CreateAsync(CreateVolumeFromImageRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        RegisteredBackend backend = _backends.GetBackendForHost(request.Volume.Host);
        Activity? activity = ImageVolumeCacheTracing.StartCreateFromImage(request, backend.Name);
        ProgressReporter? progress = request.Progress is { } callback ? new ProgressReporter(callback, request, _time, _logger) : null;
        try
        {
            for (int restart = 1; ; restart++)
            {
                var run = new PipelineRun(request, backend, _time, activity, progress);
                try
                {
                    return await CreateOnceAsync(run, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ImageChanged(run, ex) && restart <= _options.CurrentValue.DownloadRetries && !cancellationToken.IsCancellationRequested)
                {
                    // Whatever this attempt made is gone (its failure path deleted it); the next one describes the image
                    // again, so that the new version is sized, verified and cached under its own updated_at.
                    Log.ImageChangedRestarting(_logger, request.ImageId, request.Volume.Id, restart, _options.CurrentValue.DownloadRetries);
                    _metrics.DownloadRetried(backend.Name);
                }
                finally
                {
                    run.Prepared?.Dispose();
                }
            }
        }
        catch (Exception ex) when (activity is not null)
        {
            ImageVolumeCacheTracing.Failed(activity, ex);
            throw;
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <summary>Whether an attempt failed because the image's data changed while it was read (so the request starts over).</summary>
    private static bool ImageChanged(PipelineRun run, Exception exception) =>
        exception is ImageDownloadRestartException { ImageChanged: true } || run.ImageFailure is ImageDownloadRestartException { ImageChanged: true };

    /// <summary>One attempt at the request, from describing the image to the made volume.</summary>
    private async ValueTask<CreateVolumeFromImageResult> CreateOnceAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        CreateVolumeFromImageRequest request = run.Request;
        long started = run.Start(PipelineStep.DescribeImage);
        ImageInfo image = await _images.GetImageAsync(request.Requester, request.ImageId, cancellationToken).ConfigureAwait(false);
        run.Record(PipelineStep.DescribeImage, started);
        CheckSize(image, request.Volume);

        if (!request.Volume.Encrypted)
        {
            started = run.Start(PipelineStep.DirectClone);
            bool cloned = await run.Driver.TryCloneImageAsync(request.Volume, image, cancellationToken).ConfigureAwait(false);
            run.Record(PipelineStep.DirectClone, started);
            if (cloned)
            {
                return Finish(run, image, CreateFromImagePath.DirectClone, entry: null);
            }

            if (await TryCloneImageVolumeAsync(run, image, cancellationToken).ConfigureAwait(false))
            {
                return Finish(run, image, CreateFromImagePath.ImageVolumeClone, entry: null);
            }

            if (_cache.IsEnabled(run.Backend))
            {
                return await CreateThroughCacheAsync(run, image, cancellationToken).ConfigureAwait(false);
            }
        }

        await DownloadIntoTargetAsync(run, image, cancellationToken).ConfigureAwait(false);
        return Finish(run, image, CreateFromImagePath.Download, entry: null);
    }

    private static void Validate(CreateVolumeFromImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Requester, nameof(request.Requester));
        ArgumentNullException.ThrowIfNull(request.Volume, nameof(request.Volume));
        ArgumentException.ThrowIfNullOrEmpty(request.ImageId, nameof(request.ImageId));
        ArgumentException.ThrowIfNullOrEmpty(request.Volume.Id, "request.Volume.Id");
        ArgumentException.ThrowIfNullOrEmpty(request.Volume.Host, "request.Volume.Host");
        if (request.Volume.SizeGb < 1)
        {
            throw new ArgumentException($"Volume '{request.Volume.Id}' must be at least 1 GB, but {request.Volume.SizeGb} GB was requested.", nameof(request));
        }
    }

    /// <summary>
    /// Checks that the image fits the volume. A raw image's virtual size is its size: one that claims a smaller virtual
    /// size than the bytes it holds is refused. An image that is converted is checked again with its header's virtual size.
    /// </summary>
    private static void CheckSize(ImageInfo image, VolumeSpec volume)
    {
        if (image.VirtualSizeBytes is { } claimed && claimed < image.SizeBytes && IsCopiedAsIs(image))
        {
            throw new ImageUnacceptableException(
                image.Id,
                $"Image {image.Id} is refused (virtual size): it claims a virtual size of {claimed} bytes, but as {image.DiskFormat} its {image.SizeBytes} bytes are its disk.");
        }

        if (image.MinimumSizeGb > volume.SizeGb)
        {
            long bytes = image.VirtualSizeBytes ?? image.SizeBytes;
            throw new ImageUnacceptableException(
                image.Id,
                $"Image '{image.Id}' needs a volume of at least {image.MinimumSizeGb} GB (virtual size {bytes} bytes), but volume '{volume.Id}' is {volume.SizeGb} GB.");
        }
    }

    /// <summary>
    /// Clones the target from an image-volume named by a <c>cinder://</c> location, under Cinder's rules: only a raw image
    /// (bare, when a container format is given), only a well-formed location, and only a volume of this backend that the
    /// image's owner owns, so that a tenant cannot name another tenant's volume in an image of its own.
    /// </summary>
    private async ValueTask<bool> TryCloneImageVolumeAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        if (!AllowsScheme(_options.CurrentValue, ImageVolumeLocation.Scheme) || !ImageVolumeLocation.MayClone(image))
        {
            return false;
        }

        foreach (string? location in image.Locations)
        {
            if (!ImageVolumeLocation.TryGetVolumeId(location, out string sourceVolumeId))
            {
                if (ImageVolumeLocation.HasScheme(location))
                {
                    Log.ImageVolumeLocationSkipped(_logger, location!, image.Id, "it is not cinder://<volume-id> or cinder://<store>/<volume-id>");
                }

                continue;
            }

            long started = run.Start(PipelineStep.ImageVolumeClone);
            try
            {
                if (!await IsOwnersImageVolumeAsync(run, image, location!, sourceVolumeId, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                await run.Driver.CloneVolumeAsync(run.Target, sourceVolumeId, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not VolumeAlreadyExistsException)
            {
                // As in Cinder, an image-volume that cannot be cloned (elsewhere, gone, too big) is not an error: the
                // next way is tried. A failed clone made nothing, so there is nothing to delete.
                Log.ImageVolumeCloneFailed(_logger, ex, sourceVolumeId, image.Id);
            }
            finally
            {
                run.Record(PipelineStep.ImageVolumeClone, started);
            }
        }

        return false;
    }

    private async ValueTask<bool> IsOwnersImageVolumeAsync(PipelineRun run, ImageInfo image, string location, string volumeId, CancellationToken cancellationToken)
    {
        BackendVolume? volume = await run.Driver.GetVolumeAsync(volumeId, cancellationToken).ConfigureAwait(false);
        string? refusal = volume is null
            ? $"backend {run.Backend} holds no volume {volumeId}"
            : !string.Equals(volume.Spec.ProjectId, image.Owner, StringComparison.Ordinal)
                ? $"volume {volumeId} does not belong to the image's owner"
                : null;
        if (refusal is not null)
        {
            Log.ImageVolumeLocationSkipped(_logger, location, image.Id, refusal);
            return false;
        }

        return true;
    }

    private static bool AllowsScheme(ImageVolumeCacheOptions options, string scheme)
    {
        IList<string> schemes = options.AllowedDirectUrlSchemes;
        for (int i = 0; i < schemes.Count; i++)
        {
            if (string.Equals(schemes[i], scheme, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private CreateVolumeFromImageResult Finish(PipelineRun run, ImageInfo image, CreateFromImagePath path, ImageCacheEntry? entry)
    {
        TimeSpan elapsed = run.Elapsed();
        _metrics.PipelineCompleted(run.Backend, path, elapsed);
        if (run.Activity is not null)
        {
            ImageVolumeCacheTracing.Completed(run.Activity, path);
        }

        Log.VolumeCreated(_logger, run.Target.Id, image.Id, run.Target.Host, path, elapsed.TotalMilliseconds);
        return new CreateVolumeFromImageResult(run.Target, path, run.Steps) { CacheEntry = entry, Elapsed = elapsed };
    }

    /// <summary>
    /// Deletes a volume this request made; a failure is logged with the volume id and never thrown. When
    /// <paramref name="made"/> is <see langword="false"/> (the call that would have made it failed, so per the driver
    /// contract it made nothing, or the id was taken by another volume) nothing is deleted: a request deletes only what it
    /// made itself.
    /// </summary>
    private async ValueTask CleanupAsync(IVolumeDriver driver, string volumeId, string backend, bool made)
    {
        if (!made)
        {
            return;
        }

        try
        {
            await driver.DeleteVolumeAsync(volumeId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.CleanupFailed(_logger, ex, volumeId, backend);
        }
    }
}
