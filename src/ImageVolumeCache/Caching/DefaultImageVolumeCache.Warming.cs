using System.Collections.Concurrent;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Pre-warming: entries made without a user volume, through the same fill protocol as a miss (the pipeline fills,
/// nothing is cloned), and the warm images <see cref="ImageVolumeCacheWarmer"/> could not bring up to date.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    /// <summary>The warm images of each backend that could not be refreshed at the last try.</summary>
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _outdatedWarmImages = new(StringComparer.Ordinal);

    private readonly Lazy<ICacheWarmer>? _warmer;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ImageWarmResult>> WarmAsync(string backend, IEnumerable<string> imageIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(imageIds);
        if (!_backends.IsRegistered(backend))
        {
            throw new ArgumentException($"Backend '{backend}' is not registered.", nameof(backend));
        }

        if (!IsEnabled(backend))
        {
            throw new InvalidOperationException($"The cache is off for backend '{backend}' (or no internal tenant is configured): there is nothing to warm.");
        }

        ICacheWarmer warmer = _warmer?.Value ?? throw new InvalidOperationException(
            $"No {nameof(IImageService)} is registered: images cannot be warmed without it.");
        var results = new List<ImageWarmResult>();
        foreach (string imageId in imageIds)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(imageId, nameof(imageIds));
            results.Add(await warmer.WarmAsync(backend, imageId, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>The scope a backend's warm entries go to: its cluster's when it serves one, its own otherwise.</summary>
    internal CacheScope WarmScope(string backend) =>
        new(backend, _options.CurrentValue.Backends.TryGetValue(backend, out BackendCacheOptions? own) ? own.Cluster : null);

    /// <summary>
    /// Whether the scope holds an entry of the image's current version, without a hit, a touch or a pin: a warm of a
    /// cached image sends nothing (it is no request).
    /// </summary>
    internal async ValueTask<bool> HoldsCurrentAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        ImageCacheEntry? entry = await _store.GetAsync(scope.Key, image.Id, cancellationToken).ConfigureAwait(false);
        return entry is not null && entry.IsCurrentFor(image);
    }

    /// <summary>Records the warm images of a backend that could not be refreshed (none clears them).</summary>
    internal void SetOutdatedWarmImages(string backend, IReadOnlyList<string> imageIds)
    {
        if (imageIds.Count == 0)
        {
            _outdatedWarmImages.TryRemove(backend, out _);
        }
        else
        {
            _outdatedWarmImages[backend] = imageIds;
        }
    }

    /// <summary>The warm images of a backend that could not be refreshed at the last try.</summary>
    internal IReadOnlyList<string> OutdatedWarmImages(string backend) =>
        _outdatedWarmImages.TryGetValue(backend, out IReadOnlyList<string>? ids) ? ids : [];

    /// <summary>Whether the image is one of the backend's <c>WarmImages</c>, whose entries idle expiry leaves alone.</summary>
    private static bool IsWarmImage(ImageVolumeCacheOptions options, string backend, string imageId) =>
        options.Backends.TryGetValue(backend, out BackendCacheOptions? own) && own.WarmImages.Contains(imageId, StringComparer.Ordinal);
}
