using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.DependencyInjection;

internal sealed class ImageVolumeCacheBuilder(IServiceCollection services) : IImageVolumeCacheBuilder
{
    public IServiceCollection Services { get; } = services;
}
