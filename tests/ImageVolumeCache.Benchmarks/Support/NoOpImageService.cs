namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>An image service with one image, described from a cached instance without allocating; its data is empty.</summary>
public sealed class NoOpImageService(ImageInfo image) : IImageService
{
    public ImageInfo Image { get; } = image;

    public ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken) => new(Image);

    public ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken) => new(Stream.Null);
}
