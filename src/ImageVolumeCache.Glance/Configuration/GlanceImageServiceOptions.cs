namespace ImageVolumeCache.Glance;

/// <summary>
/// Where the Glance API is and how its requests are made. Validated at start-up; a bad value stops the host with a
/// message naming the option.
/// </summary>
public sealed class GlanceImageServiceOptions
{
    /// <summary>
    /// The root of the Glance API, for example <c>http://glance.example:9292</c> (the <c>/v2/...</c> paths are added to it;
    /// a path of its own, as behind a proxy, is kept). Must be an absolute <c>http</c> or <c>https</c> URI. Required.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// How long one request may take to answer (its status and headers; the image data that follows is watched by the
    /// cache's <see cref="ImageVolumeCacheOptions.DownloadStallTimeout"/> instead). A request that takes longer is
    /// abandoned and, when retries remain, tried again. Must be from 1 ms to 1 hour. Default 30 seconds.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a request that failed transiently (a connection error, a timeout, HTTP 408, 429 or 5xx) is tried
    /// again, with exponential back-off. Must be from 0 to 10. Default 3.
    /// </summary>
    public int RequestRetries { get; set; } = 3;

    /// <summary>The first back-off between retries of a request; each next one doubles it, with jitter. Must be from 0 to 1 minute. Default 500 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
