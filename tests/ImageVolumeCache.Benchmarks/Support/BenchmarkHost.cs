using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>
/// Wires the cache the way a host does (<c>AddImageVolumeCache</c>), with logging off, one backend and an unlimited
/// cache, so that the benchmarks measure the public entry points and nothing else.
/// </summary>
public static class BenchmarkHost
{
    public const string Backend = "bench@noop";

    /// <summary>Builds the services; <paramref name="backend"/> names the one backend, serving <paramref name="cluster"/> when given.</summary>
    public static ServiceProvider Build(
        IVolumeDriver driver, IImageService images, IImageVolumeCacheNotifier notifier, Action<IImageVolumeCacheBuilder>? configure = null,
        string backend = Backend, string? cluster = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        IImageVolumeCacheBuilder builder = services.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = "cache-project";
                options.InternalTenant.UserId = "cache-user";
                if (cluster is not null)
                {
                    options.Backends[backend] = new BackendCacheOptions { Cluster = cluster };
                }
            })
            .AddBackend(backend, _ => driver)
            .UseImageService(_ => images)
            .UseNotifier(_ => notifier);
        configure?.Invoke(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}
