using ImageVolumeCache.Backends;
using ImageVolumeCache.Caching;
using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>
/// The warm entry point behind <see cref="IImageVolumeCache.WarmAsync"/>: the cache step of a request without a user
/// volume. The run's target is a placeholder that is never made (its size never refuses an image), and the clone of a
/// warm run does nothing, so the fill protocol, its single flight and its notifications are a miss's.
/// </summary>
public sealed partial class CreateFromImagePipeline : ICacheWarmer
{
    async ValueTask<ImageWarmResult> ICacheWarmer.WarmAsync(string backend, string imageId, CancellationToken cancellationToken)
    {
        RegisteredBackend registered = _backends.GetBackendForHost(backend);
        CacheScope scope = _cache.WarmScope(backend);
        InternalTenantOptions tenant = _tenant.Tenant;
        var administrator = new RequestContext(tenant.ProjectId!, tenant.UserId!) { IsAdmin = true };
        var placeholder = new VolumeSpec($"warm-{imageId}", scope.Host, int.MaxValue) { Cluster = scope.Cluster };
        var run = new PipelineRun(new CreateVolumeFromImageRequest(administrator, placeholder, imageId), registered, _time, activity: null, progress: null) { Warming = true };
        try
        {
            ImageInfo image = await _images.GetImageAsync(administrator, imageId, cancellationToken).ConfigureAwait(false);
            if (await _cache.HoldsCurrentAsync(scope, image, cancellationToken).ConfigureAwait(false))
            {
                return new ImageWarmResult(imageId, ImageWarmOutcome.AlreadyCached);
            }

            CacheResult cached = await _cache.AcquireOrFillAsync(scope, image, this, run, cancellationToken).ConfigureAwait(false);
            ImageWarmOutcome outcome = cached.Outcome switch
            {
                CacheOutcome.Filled => ImageWarmOutcome.Filled,
                CacheOutcome.Hit => ImageWarmOutcome.AlreadyCached, // another request filled it meanwhile
                _ => ImageWarmOutcome.NotCached,
            };
            Log.ImageWarmed(_logger, imageId, scope.Key, outcome);
            return new ImageWarmResult(imageId, outcome);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ImageWarmFailed(_logger, ex, imageId, scope.Key);
            return new ImageWarmResult(imageId, ImageWarmOutcome.Failed, ex);
        }
        finally
        {
            run.Prepared?.Dispose();
        }
    }
}
