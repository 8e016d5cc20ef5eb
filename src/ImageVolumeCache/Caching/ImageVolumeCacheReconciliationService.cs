using ImageVolumeCache.Backends;
using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Reconciles every enabled backend when the host starts (option <c>ReconcileOnStartup</c>), before requests are served.
/// A driver or image service failure is logged and the host starts; an unreadable entry store stops it.
/// </summary>
internal sealed class ImageVolumeCacheReconciliationService(
    DefaultImageVolumeCache cache,
    IEnumerable<VolumeBackendRegistration> backends,
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    ILogger<ImageVolumeCacheReconciliationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.ReconcileOnStartup)
        {
            return;
        }

        foreach (string backend in backends.Select(b => b.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!cache.IsEnabled(backend))
            {
                continue;
            }

            try
            {
                await cache.ReconcileAsync(backend, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not CacheEntryStoreException and not OperationCanceledException)
            {
                Log.ReconcileBackendFailed(logger, ex, backend);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
