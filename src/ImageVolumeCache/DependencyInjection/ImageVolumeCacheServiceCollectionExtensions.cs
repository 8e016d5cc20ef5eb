using ImageVolumeCache;
using ImageVolumeCache.Backends;
using ImageVolumeCache.Caching;
using ImageVolumeCache.Images.Conversion;
using ImageVolumeCache.Configuration;
using ImageVolumeCache.DependencyInjection;
using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the image-volume cache and <see cref="CreateFromImagePipeline"/> in a service collection.</summary>
public static class ImageVolumeCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the cache with options bound from a configuration section (usually <c>ImageVolumeCache</c>), validated at
    /// start-up. Validation messages name keys under the section's path. A value that cannot be read as its option's type,
    /// and a key that no option reads (unless <see cref="ImageVolumeCacheOptions.UnknownKeys"/> is
    /// <see cref="UnknownKeyHandling.Warn"/>), fail validation too, every one of them in the same exception.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding <see cref="ImageVolumeCacheOptions"/>.</param>
    /// <returns>A builder to add backends and choose the image service, store and notifier.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IImageVolumeCacheBuilder AddImageVolumeCache(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var path = new ImageVolumeCacheConfigurationPath(configuration is IConfigurationSection section ? section.Path : string.Empty);
        services.TryAddSingleton(path);

        // Not OptionsBuilder.Bind: the binder throws at the first value it cannot convert and silently drops a backend
        // holding one, so the section is checked first and validation reports every bad value and unknown key at once.
        services.AddOptions<ImageVolumeCacheOptions>().Configure(options => ImageVolumeCacheConfigurationCheck.Bind(configuration, options));
        services.AddSingleton<IOptionsChangeTokenSource<ImageVolumeCacheOptions>>(new ConfigurationChangeTokenSource<ImageVolumeCacheOptions>(configuration));
        services.AddSingleton<IValidateOptions<ImageVolumeCacheOptions>>(sp => new ImageVolumeCacheConfigurationValidator(
            configuration,
            path,
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<ImageVolumeCacheConfigurationValidator>()));
        return AddCore(services);
    }

    /// <summary>Registers the cache with options set in code, validated at start-up.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to add backends and choose the image service, store and notifier.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IImageVolumeCacheBuilder AddImageVolumeCache(this IServiceCollection services, Action<ImageVolumeCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ImageVolumeCacheOptions>().Configure(configure);
        return AddCore(services);
    }

    private static ImageVolumeCacheBuilder AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(new ImageVolumeCacheConfigurationPath(ImageVolumeCacheConfigurationPath.Default));
        services.AddOptions<ImageVolumeCacheOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ImageVolumeCacheOptions>, ImageVolumeCacheOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICacheEntryStore, InMemoryCacheEntryStore>();
        services.TryAddSingleton<IImageVolumeCacheNotifier, LoggingNotifier>();
        services.TryAddSingleton(sp => new ImageVolumeCacheMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<InternalTenantGate>();
        services.TryAddSingleton<VolumeBackendRegistry>();
        services.TryAddSingleton<DefaultImageVolumeCache>();
        services.TryAddSingleton<IImageVolumeCache>(sp => sp.GetRequiredService<DefaultImageVolumeCache>());
        services.TryAddSingleton<ScratchSpace>();
        services.TryAddSingleton<QemuImgConverter>();
        services.TryAddSingleton(CreatePipeline);
        services.TryAddSingleton(sp => new Lazy<ICacheWarmer>(sp.GetRequiredService<CreateFromImagePipeline>));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ImageVolumeCacheStartupCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ImageVolumeCacheReconciliationService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ImageVolumeCacheTrimmer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ImageVolumeCacheWarmer>());
        return new ImageVolumeCacheBuilder(services);
    }

    private static CreateFromImagePipeline CreatePipeline(IServiceProvider sp) => new(
        sp.GetService<IImageService>() ?? throw new InvalidOperationException(
            $"No {nameof(IImageService)} is registered. Call UseImageService<T>() on the builder returned by AddImageVolumeCache, or register one."),
        sp.GetRequiredService<VolumeBackendRegistry>(),
        sp.GetRequiredService<DefaultImageVolumeCache>(),
        sp.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>(),
        sp.GetRequiredService<InternalTenantGate>(),
        sp.GetRequiredService<ImageVolumeCacheMetrics>(),
        sp.GetRequiredService<TimeProvider>(),
        sp.GetRequiredService<ILogger<CreateFromImagePipeline>>(),
        sp.GetRequiredService<ScratchSpace>(),
        sp.GetRequiredService<QemuImgConverter>());
}
