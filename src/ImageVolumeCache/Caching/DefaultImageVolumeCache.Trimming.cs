using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// The trim: limits, idle entries, and the images the image service deleted or changed. Run by
/// <see cref="ImageVolumeCacheTrimmer"/> on its interval and on every configuration reload.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    /// <summary>Where the next trim's image checks start: the images are checked in id order, a batch per trim.</summary>
    private string _nextImageToCheck = string.Empty;

    /// <inheritdoc/>
    public async ValueTask<int> OnImageDeletedAsync(string imageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        IReadOnlyList<ImageCacheEntry> entries = await _store.ListAsync(null, cancellationToken).ConfigureAwait(false);
        int evicted = 0;
        foreach (ImageCacheEntry entry in entries.Where(e => string.Equals(e.ImageId, imageId, StringComparison.Ordinal)))
        {
            if (await EvictCoreAsync(entry, EvictionReason.ImageDeleted, CancellationToken.None).ConfigureAwait(false))
            {
                evicted++;
            }
        }

        return evicted;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Trims every scope the store holds: purges a disabled backend's scopes when it says so, evicts down to the limits,
    /// evicts entries idle for longer than <c>MaxIdle</c> (but never a warm image's, which is kept for the next request),
    /// then checks the next batch of cached images against the image service.
    /// </remarks>
    public async ValueTask<TrimResult> TrimAllAsync(CancellationToken cancellationToken)
    {
        ImageVolumeCacheOptions options = _options.CurrentValue;
        IReadOnlyList<ImageCacheEntry> entries = await _store.ListAsync(null, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        int purged = 0, trimmed = 0, idle = 0;
        foreach (IGrouping<string, ImageCacheEntry> scope in entries.GroupBy(e => e.ScopeKey, StringComparer.Ordinal))
        {
            CacheScope key = scope.First().Scope;
            CacheLimits limits = CacheLimits.For(options, key.Backend);
            if (!limits.Enabled)
            {
                purged += limits.PurgeWhenDisabled ? await PurgeAsync(scope.Key, cancellationToken).ConfigureAwait(false) : 0;
                continue;
            }

            trimmed += await TrimAsync(key, cancellationToken).ConfigureAwait(false);
            if (limits.MaxIdle > TimeSpan.Zero)
            {
                foreach (ImageCacheEntry entry in scope.Where(e => now - e.LastUsed > limits.MaxIdle && !IsWarmImage(options, key.Backend, e.ImageId)))
                {
                    idle += await EvictCoreAsync(entry, EvictionReason.Idle, CancellationToken.None).ConfigureAwait(false) ? 1 : 0;
                }
            }
        }

        (int deleted, int stale) = await CheckImagesAsync(entries, options.ImageChecksPerTrim, cancellationToken).ConfigureAwait(false);
        var result = new TrimResult(purged, trimmed, idle, deleted, stale);
        if (result.Evicted > 0)
        {
            Log.TrimEvicted(_logger, result.Purged, result.OverLimits, result.Idle, result.ImageDeleted, result.Stale);
        }

        return result;
    }

    /// <summary>
    /// Asks the image service about the next <paramref name="count"/> cached images (as an administrator of the internal
    /// tenant): a deleted image's entries are evicted (<c>image_deleted</c>), and so are entries of an older
    /// <c>updated_at</c> (<c>stale</c>). A failing image service ends the checks until the next trim.
    /// </summary>
    private async ValueTask<(int Deleted, int Stale)> CheckImagesAsync(IReadOnlyList<ImageCacheEntry> entries, int count, CancellationToken cancellationToken)
    {
        if (count == 0 || _images is null || !_tenant.Tenant.IsConfigured || entries.Count == 0)
        {
            return (0, 0);
        }

        string[] images = [.. entries.Select(e => e.ImageId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        string[] batch = [.. images.Where(id => string.CompareOrdinal(id, _nextImageToCheck) >= 0).Take(count)];
        if (batch.Length < count)
        {
            batch = [.. batch, .. images.Where(id => string.CompareOrdinal(id, _nextImageToCheck) < 0).Take(count - batch.Length)];
        }

        var administrator = new RequestContext(_tenant.Tenant.ProjectId!, _tenant.Tenant.UserId!) { IsAdmin = true };
        int deleted = 0, stale = 0;
        foreach (string imageId in batch)
        {
            _nextImageToCheck = NextAfter(images, imageId);
            ImageInfo? image;
            try
            {
                image = await _images.GetImageAsync(administrator, imageId, cancellationToken).ConfigureAwait(false);
            }
            catch (ImageNotFoundException)
            {
                image = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.TrimImageCheckFailed(_logger, ex, imageId);
                break;
            }

            foreach (ImageCacheEntry entry in entries.Where(e => string.Equals(e.ImageId, imageId, StringComparison.Ordinal)))
            {
                if (image is null)
                {
                    deleted += await EvictCoreAsync(entry, EvictionReason.ImageDeleted, CancellationToken.None).ConfigureAwait(false) ? 1 : 0;
                }
                else if (image.UpdatedAt != entry.ImageUpdatedAt)
                {
                    stale += await EvictCoreAsync(entry, EvictionReason.Stale, CancellationToken.None).ConfigureAwait(false) ? 1 : 0;
                }
            }
        }

        return (deleted, stale);
    }

    private static string NextAfter(string[] sortedIds, string id)
    {
        int at = Array.IndexOf(sortedIds, id);
        return at + 1 < sortedIds.Length ? sortedIds[at + 1] : string.Empty;
    }
}
