using ImageVolumeCache;
using ImageVolumeCache.Backends;
using ImageVolumeCache.Caching;
using ImageVolumeCache.Configuration;
using ImageVolumeCache.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the image-volume cache's health check to a host's health checks.</summary>
public static class ImageVolumeCacheHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the image-volume cache registered with <c>AddImageVolumeCache</c>: <paramref name="failureStatus"/>
    /// when the entry store cannot be read; <see cref="HealthStatus.Degraded"/> when the cache is off for lack of an
    /// internal tenant, a backend cannot list its volumes, or a scope holds more than its limits; healthy otherwise. The
    /// store and each backend have 10 seconds to answer. The result's data holds a <see cref="CacheScopeStatistics"/> per
    /// scope, keyed by scope; its description gives every reason.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default <c>imagevolumecache</c>.</param>
    /// <param name="failureStatus">
    /// The status reported when the store cannot be read, or the check fails or times out. Default
    /// <see langword="null"/>: <see cref="HealthStatus.Unhealthy"/>.
    /// </param>
    /// <param name="tags">Tags to filter checks by (a readiness endpoint, say). Default none.</param>
    /// <param name="timeout">The time the whole check may take. Default <see langword="null"/>: no timeout.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <remarks>Running the check throws <see cref="InvalidOperationException"/> when the cache is not registered.</remarks>
    public static IHealthChecksBuilder AddImageVolumeCache(
        this IHealthChecksBuilder builder,
        string name = "imagevolumecache",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        return builder.Add(new HealthCheckRegistration(name, CreateCheck, failureStatus, tags, timeout));
    }

    private static ImageVolumeCacheHealthCheck CreateCheck(IServiceProvider sp)
    {
        IImageVolumeCache cache = sp.GetService<IImageVolumeCache>() ?? throw new InvalidOperationException(
            "The image-volume cache is not registered: call AddImageVolumeCache on the service collection before adding its health check.");
        return new ImageVolumeCacheHealthCheck(
            cache,
            sp.GetRequiredService<VolumeBackendRegistry>(),
            sp.GetRequiredService<InternalTenantGate>(),
            sp.GetRequiredService<ImageVolumeCacheConfigurationPath>(),
            sp.GetServices<ICacheHealthProbe>(),
            sp.GetRequiredService<TimeProvider>());
    }
}
