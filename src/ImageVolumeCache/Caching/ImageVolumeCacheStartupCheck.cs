using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Images.Conversion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Runs the start-up checks that are warnings rather than errors (a missing internal tenant), and removes the scratch
/// folders that processes which crashed left behind.
/// </summary>
internal sealed class ImageVolumeCacheStartupCheck(InternalTenantGate tenant, ScratchSpace scratch, ILogger<ImageVolumeCacheStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = tenant.IsConfigured();
        try
        {
            scratch.SweepAtStartup();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.ScratchRemovalFailed(logger, ex, scratch.Root);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
