namespace ImageVolumeCache.Caching;

/// <summary>
/// The seam through which the cache's <see cref="IImageVolumeCache.WarmAsync"/> reaches the pipeline, which knows how to
/// fill a cache volume (download, head check, conversion). The pipeline depends on the cache, so the cache resolves it
/// lazily.
/// </summary>
internal interface ICacheWarmer
{
    /// <summary>Makes an entry of the image's current version in the backend's scope, through the fill protocol, cloning nothing.</summary>
    ValueTask<ImageWarmResult> WarmAsync(string backend, string imageId, CancellationToken cancellationToken);
}
