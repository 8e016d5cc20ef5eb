using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.TestUtils;

/// <summary>The services of a cache with one in-memory backend, for the tests of a store package's registration and options.</summary>
public static class StoreServices
{
    /// <summary>A cache with an internal tenant and the backend <c>host1@lvm</c>, configured further by <paramref name="configure"/>.</summary>
    public static ServiceCollection With(Action<IImageVolumeCacheBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = new ServiceCollection();
        services.AddLogging();
        IImageVolumeCacheBuilder builder = services.AddImageVolumeCache(o =>
        {
            o.InternalTenant.ProjectId = "internal-project";
            o.InternalTenant.UserId = "internal-user";
        });
        builder.AddBackend("host1@lvm", _ => new InMemoryVolumeDriver());
        configure(builder);
        return services;
    }
}
