namespace ImageVolumeCache;

/// <summary>Names of the library's meter, instruments and activity source, for hosts that subscribe to them.</summary>
public static class ImageVolumeCacheDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> and logging category prefix.</summary>
    public const string MeterName = "ImageVolumeCache";

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/> that traces
    /// <see cref="CreateFromImagePipeline.CreateAsync"/>; its version is the package's informational version.
    /// </summary>
    public const string ActivitySourceName = "ImageVolumeCache";

    /// <summary>
    /// The name of the activity started for each <see cref="CreateFromImagePipeline.CreateAsync"/> call
    /// (<see cref="System.Diagnostics.ActivityKind.Internal"/>), only when a listener samples it.
    /// </summary>
    public const string CreateFromImageActivity = "ImageVolumeCache.CreateFromImage";

    /// <summary>Counter of cache hits; tag <c>backend</c>.</summary>
    public const string Hits = "imagevolumecache.cache.hits";

    /// <summary>Counter of cache misses; tag <c>backend</c>.</summary>
    public const string Misses = "imagevolumecache.cache.misses";

    /// <summary>Counter of evictions; tags <c>backend</c> and <c>reason</c>.</summary>
    public const string Evictions = "imagevolumecache.cache.evictions";

    /// <summary>Histogram of pipeline duration in seconds; tags <c>backend</c> and <c>path</c>.</summary>
    public const string PipelineDuration = "imagevolumecache.pipeline.duration";

    /// <summary>Counter of image bytes downloaded; tag <c>backend</c>.</summary>
    public const string BytesDownloaded = "imagevolumecache.image.bytes_downloaded";

    /// <summary>Counter of stalled downloads started over; tag <c>backend</c>.</summary>
    public const string DownloadRetries = "imagevolumecache.download.retries";

    /// <summary>
    /// Gauge of the entries a scope holds, as this process last read them from the entry store; tags <c>scope</c> and
    /// <c>backend</c>.
    /// </summary>
    public const string Entries = "imagevolumecache.cache.entries";

    /// <summary>
    /// Gauge of the total size in GB of a scope's entries, as this process last read it from the entry store; tags
    /// <c>scope</c> and <c>backend</c>.
    /// </summary>
    public const string SizeGb = "imagevolumecache.cache.size";
}
