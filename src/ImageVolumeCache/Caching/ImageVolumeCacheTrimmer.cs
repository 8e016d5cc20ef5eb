using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Trims the cache every <see cref="ImageVolumeCacheOptions.TrimInterval"/> (through the <see cref="TimeProvider"/>),
/// and at once whenever the options are reloaded, so that a lowered limit, a shorter <c>MaxIdle</c> or a backend turned
/// off applies without waiting. A failed trim is logged and the next one runs as planned.
/// </summary>
internal sealed class ImageVolumeCacheTrimmer(
    DefaultImageVolumeCache cache,
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    TimeProvider time,
    ILogger<ImageVolumeCacheTrimmer> logger) : PeriodicCacheService(options, time, runAtStart: false)
{
    protected override TimeSpan Interval(ImageVolumeCacheOptions current) => current.TrimInterval;

    protected override async Task RunRoundAsync(CancellationToken cancellationToken) =>
        await cache.TrimAllAsync(cancellationToken).ConfigureAwait(false);

    protected override void RoundFailed(Exception exception) => Log.TrimFailed(logger, exception);
}
