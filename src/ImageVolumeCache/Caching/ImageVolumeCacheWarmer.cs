using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Keeps each backend's <see cref="BackendCacheOptions.WarmImages"/> warm: warms them at start-up, on every configuration
/// reload and every <see cref="ImageVolumeCacheOptions.WarmPollInterval"/> (through the <see cref="TimeProvider"/>).
/// Each round asks the image service about every warm image; one whose <c>updated_at</c> changed is warmed in its new
/// version (the lookup retires the old entry once no clone uses it), so that a request right after a rollover is a hit.
/// A warm image that cannot be brought up to date is reported in <see cref="CacheScopeStatistics.OutdatedWarmImages"/>.
/// </summary>
internal sealed class ImageVolumeCacheWarmer(
    DefaultImageVolumeCache cache,
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    TimeProvider time,
    ILogger<ImageVolumeCacheWarmer> logger) : PeriodicCacheService(options, time, runAtStart: true)
{
    protected override TimeSpan Interval(ImageVolumeCacheOptions current) => current.WarmPollInterval;

    protected override Task RunRoundAsync(CancellationToken cancellationToken) => WarmEveryBackendAsync(cancellationToken);

    protected override void RoundFailed(Exception exception) => Log.WarmFailed(logger, exception);

    /// <summary>
    /// One round: warms every warm image of every backend whose cache is on. An image already cached in its current
    /// version costs one call to the image service and sends nothing.
    /// </summary>
    internal async Task WarmEveryBackendAsync(CancellationToken cancellationToken)
    {
        foreach ((string backend, BackendCacheOptions own) in CurrentOptions.Backends)
        {
            if (own.WarmImages.Count == 0 || !cache.IsEnabled(backend))
            {
                cache.SetOutdatedWarmImages(backend, []);
                continue;
            }

            IReadOnlyList<ImageWarmResult> results;
            try
            {
                results = await cache.WarmAsync(backend, own.WarmImages.Distinct(StringComparer.Ordinal).ToArray(), cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                continue; // a backend configured but not registered in this process: another host warms it
            }

            var outdated = new List<string>();
            foreach (ImageWarmResult result in results)
            {
                if (result.Outcome is ImageWarmOutcome.NotCached or ImageWarmOutcome.Failed)
                {
                    Log.WarmImageOutdated(logger, result.ImageId, backend);
                    outdated.Add(result.ImageId);
                }
            }

            cache.SetOutdatedWarmImages(backend, outdated);
        }
    }
}
