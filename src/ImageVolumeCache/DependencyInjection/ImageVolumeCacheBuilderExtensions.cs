using ImageVolumeCache;
using ImageVolumeCache.Backends;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds backends and chooses the collaborators of the image-volume cache.</summary>
public static class ImageVolumeCacheBuilderExtensions
{
    /// <summary>Adds a backend whose driver is made by the service provider (constructor injection), once, on first use.</summary>
    /// <typeparam name="TDriver">The driver type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The backend name, <c>host@backend</c>, as volumes' hosts name it (without a pool).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>#</c>.</exception>
    public static IImageVolumeCacheBuilder AddBackend<TDriver>(this IImageVolumeCacheBuilder builder, string name)
        where TDriver : class, IVolumeDriver =>
        AddBackendCore(builder, name, sp => ActivatorUtilities.CreateInstance<TDriver>(sp), ownedByContainer: true);

    /// <summary>Adds a backend whose driver is made by a factory, once, on first use. A later registration of the same name replaces an earlier one.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The backend name, <c>host@backend</c>, as volumes' hosts name it (without a pool).</param>
    /// <param name="factory">Makes the driver.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>#</c>.</exception>
    public static IImageVolumeCacheBuilder AddBackend(this IImageVolumeCacheBuilder builder, string name, Func<IServiceProvider, IVolumeDriver> factory) =>
        AddBackendCore(builder, name, factory, ownedByContainer: false);

    private static IImageVolumeCacheBuilder AddBackendCore(IImageVolumeCacheBuilder builder, string name, Func<IServiceProvider, IVolumeDriver> factory, bool ownedByContainer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A backend name must not be empty.", nameof(name));
        }

        if (name.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Backend name '{name}' must not contain a pool ('#'); register '{BackendNames.FromHost(name)}'.", nameof(name));
        }

        builder.Services.AddSingleton(new VolumeBackendRegistration(name, factory, ownedByContainer));
        return builder;
    }

    /// <summary>Uses <typeparamref name="TImageService"/> as the image service, replacing any registered before.</summary>
    /// <typeparam name="TImageService">The image service type, made by the service provider as a singleton.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseImageService<TImageService>(this IImageVolumeCacheBuilder builder)
        where TImageService : class, IImageService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IImageService, TImageService>());
        return builder;
    }

    /// <summary>Uses the image service a factory makes, replacing any registered before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the image service, once.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseImageService(this IImageVolumeCacheBuilder builder, Func<IServiceProvider, IImageService> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Uses <typeparamref name="TNotifier"/> to publish hit, miss and evict notifications, replacing the default (log) notifier.</summary>
    /// <typeparam name="TNotifier">The notifier type, made by the service provider as a singleton.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseNotifier<TNotifier>(this IImageVolumeCacheBuilder builder)
        where TNotifier : class, IImageVolumeCacheNotifier
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IImageVolumeCacheNotifier, TNotifier>());
        return builder;
    }

    /// <summary>Uses the notifier a factory makes, replacing the default (log) notifier.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the notifier, once.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseNotifier(this IImageVolumeCacheBuilder builder, Func<IServiceProvider, IImageVolumeCacheNotifier> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Uses <typeparamref name="TStore"/> to keep cache entries, replacing the default in-memory store.</summary>
    /// <typeparam name="TStore">The store type, made by the service provider as a singleton.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseStore<TStore>(this IImageVolumeCacheBuilder builder)
        where TStore : class, ICacheEntryStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ICacheEntryStore, TStore>());
        return builder;
    }

    /// <summary>Uses the store a factory makes, replacing the default in-memory store.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the store, once.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseStore(this IImageVolumeCacheBuilder builder, Func<IServiceProvider, ICacheEntryStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }
}
