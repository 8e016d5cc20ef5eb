using ImageVolumeCache.Backends;
using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Runs the start-up work of the cache, before requests are served: first includes each backend with
/// <c>Backends:&lt;name&gt;:IncludeInClusterOnStart</c> in its cluster, then reconciles every enabled backend (option
/// <c>ReconcileOnStartup</c>). A driver or image service failure is logged and the host starts; an unreadable entry
/// store stops it.
/// </summary>
internal sealed class ImageVolumeCacheReconciliationService(
    DefaultImageVolumeCache cache,
    IEnumerable<VolumeBackendRegistration> backends,
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    ILogger<ImageVolumeCacheReconciliationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string[] names = [.. backends.Select(b => b.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        foreach (string backend in names.Where(IncludesInClusterOnStart))
        {
            try
            {
                await cache.IncludeInClusterAsync(backend, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not CacheEntryStoreException and not OperationCanceledException)
            {
                Log.IncludeInClusterAtStartFailed(logger, ex, backend);
            }
        }

        if (!options.CurrentValue.ReconcileOnStartup)
        {
            return;
        }

        foreach (string backend in names)
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

    private bool IncludesInClusterOnStart(string backend) =>
        options.CurrentValue.Backends.TryGetValue(backend, out BackendCacheOptions? own) && own.IncludeInClusterOnStart;
}
