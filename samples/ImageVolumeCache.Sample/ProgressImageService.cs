namespace ImageVolumeCache.Sample;

/// <summary>An image service that hands out its inner service's image streams wrapped to drive a progress bar.</summary>
internal sealed class ProgressImageService(IImageService inner, ProgressBar progress) : IImageService
{
    public ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken) =>
        inner.GetImageAsync(context, imageId, cancellationToken);

    public async ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
    {
        Stream data = await inner.OpenReadAsync(context, imageId, cancellationToken);
        progress.Start("download", data.Length);
        return new ProgressStream(data, progress);
    }
}
