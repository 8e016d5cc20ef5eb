namespace ImageVolumeCache;

/// <summary>Names of the library's meter, instruments and log event id range, for hosts that subscribe to them.</summary>
public static class ImageVolumeCacheDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> and logging category prefix.</summary>
    public const string MeterName = "ImageVolumeCache";

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
}
