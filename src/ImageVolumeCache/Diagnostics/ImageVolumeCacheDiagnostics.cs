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

    /// <summary>
    /// Counter of cache fills this process made (it held the fill lease), by how each ended; tags <c>backend</c> and
    /// <c>outcome</c> (<c>created</c>, <c>not_cached</c>, <c>failed</c>, <c>refused</c>).
    /// </summary>
    public const string Fills = "imagevolumecache.cache.fills";

    /// <summary>Histogram of pipeline duration in seconds; tags <c>backend</c> and <c>path</c>.</summary>
    public const string PipelineDuration = "imagevolumecache.pipeline.duration";

    /// <summary>
    /// Counter of image bytes read from the image service, in bytes, those of downloads that failed or stalled included;
    /// tag <c>backend</c>.
    /// </summary>
    public const string BytesDownloaded = "imagevolumecache.download.io";

    /// <summary>
    /// Histogram of the duration in seconds of each completed download of an image (into a volume or a scratch file,
    /// stalled attempts included); tag <c>backend</c>.
    /// </summary>
    public const string DownloadDuration = "imagevolumecache.download.duration";

    /// <summary>Histogram of the size in bytes of each completed download of an image; tag <c>backend</c>.</summary>
    public const string DownloadSize = "imagevolumecache.download.size";

    /// <summary>Counter of stalled downloads started over; tag <c>backend</c>.</summary>
    public const string DownloadRetries = "imagevolumecache.download.retries";

    /// <summary>
    /// Histogram of the duration in seconds of each conversion of an image to raw (<c>qemu-img convert</c>); tags
    /// <c>backend</c> and <c>format</c> (the image's format, such as <c>qcow2</c>).
    /// </summary>
    public const string ConversionDuration = "imagevolumecache.conversion.duration";

    /// <summary>
    /// Histogram of the size in bytes of each conversion's raw disk (the image's virtual size); tags <c>backend</c> and
    /// <c>format</c>.
    /// </summary>
    public const string ConversionSize = "imagevolumecache.conversion.size";

    /// <summary>
    /// Gauge of the entries a scope holds, as this process last read them from the entry store; tags <c>scope</c> and
    /// <c>backend</c>.
    /// </summary>
    public const string Entries = "imagevolumecache.cache.entries";

    /// <summary>
    /// Gauge of the total size in bytes of a scope's entries (their sizes in GB times 2^30), as this process last read it
    /// from the entry store; tags <c>scope</c> and <c>backend</c>.
    /// </summary>
    public const string Size = "imagevolumecache.cache.size";
}
