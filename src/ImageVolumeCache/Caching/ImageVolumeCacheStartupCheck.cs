using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Caching;

/// <summary>Runs the start-up checks that are warnings rather than errors (a missing internal tenant).</summary>
internal sealed class ImageVolumeCacheStartupCheck(InternalTenantGate tenant) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = tenant.IsConfigured();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
