namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures the image-volume cache after <c>AddImageVolumeCache</c>: its backends, image service, store and notifier.
/// Plug-in packages add their own extension methods (for example <c>UseSqliteStore</c>).
/// </summary>
public interface IImageVolumeCacheBuilder
{
    /// <summary>The service collection the cache is registered in.</summary>
    IServiceCollection Services { get; }
}
