using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Decides whether the internal tenant is configured, and logs the "cache off" warning once per process the first time
/// it is found missing (at start-up through <see cref="ImageVolumeCacheStartupCheck"/>, or at first use in hosts without one).
/// </summary>
internal sealed class InternalTenantGate(
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    ImageVolumeCacheConfigurationPath path,
    ILogger<InternalTenantGate> logger)
{
    private int _warned;

    public InternalTenantOptions Tenant => options.CurrentValue.InternalTenant;

    public bool IsConfigured()
    {
        if (options.CurrentValue.InternalTenant.IsConfigured)
        {
            return true;
        }

        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Log.CacheDisabledNoInternalTenant(logger, path.Key("InternalTenant:ProjectId"), path.Key("InternalTenant:UserId"));
        }

        return false;
    }
}
