using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Clones across the pools of a backend (Cinder's <c>clone_across_pools</c>, option <c>CloneAcrossPools</c>): a lookup
/// that finds no entry in its own pool may take a current entry of another pool of the same backend, or of the same
/// cluster, when the driver says it clones between the two pools; never an entry of another backend.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    /// <summary>The driver of the scope's backend as a pool cloner, when the backend clones across pools; else <see langword="null"/>.</summary>
    private IPoolCloning? PoolCloningFor(CacheScope scope) =>
        _options.CurrentValue.Backends.TryGetValue(scope.Backend, out BackendCacheOptions? own) && own.CloneAcrossPools
            ? DriverFor(scope) as IPoolCloning
            : null;

    /// <summary>
    /// Finds, and touches, the first current entry of the image in another pool of the scope's backend that the driver can
    /// clone into the scope's pool; <see langword="null"/> when there is none.
    /// </summary>
    private async ValueTask<ImageCacheEntry?> FindInOtherPoolAsync(CacheScope scope, ImageInfo image, IPoolCloning pools, CancellationToken cancellationToken)
    {
        IReadOnlyList<ImageCacheEntry> candidates = await RetryQuarantinedAsync(
            (scope.Key, image.Id), static (store, s, ct) => store.FindInOtherPoolsAsync(s.Key, s.Id, ct), cancellationToken).ConfigureAwait(false);
        string targetPool = BackendNames.PoolFromHost(scope.Key);
        foreach (ImageCacheEntry candidate in candidates)
        {
            // A stale entry of another pool is left to a lookup in its own pool, which retires it.
            if (!candidate.IsCurrentFor(image) || !CanClone(scope, pools, BackendNames.PoolFromHost(candidate.ScopeKey), targetPool))
            {
                continue;
            }

            // The touch is the lookup's: the entry may have gone, or been replaced, since it was found.
            ImageCacheEntry? touched = await GetAndTouchAsync(candidate.Scope, image, cancellationToken).ConfigureAwait(false);
            if (touched is not null && touched.IsCurrentFor(image))
            {
                Log.CacheHitInOtherPool(_logger, image.Id, scope.Key, touched.Id, touched.VolumeId, touched.ScopeKey);
                return touched;
            }
        }

        return null;
    }

    /// <summary>Asks the driver; a driver that throws is taken to say no (logged), and the request goes on.</summary>
    private bool CanClone(CacheScope scope, IPoolCloning pools, string sourcePool, string targetPool)
    {
        try
        {
            return pools.CanCloneBetweenPools(sourcePool, targetPool);
        }
        catch (Exception ex)
        {
            Log.PoolCloningCheckFailed(_logger, ex, scope.Backend, sourcePool, targetPool);
            return false;
        }
    }
}
