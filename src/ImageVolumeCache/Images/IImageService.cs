namespace ImageVolumeCache;

/// <summary>
/// The host's image service (Glance or its equivalent). Every call carries the requester's context, so that the image
/// service decides who may see which image.
/// </summary>
public interface IImageService
{
    /// <summary>Describes an image as the requester may see it.</summary>
    /// <param name="context">The requester.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image.</returns>
    /// <exception cref="ImageNotFoundException">The image does not exist or the requester may not see it (the same answer for both).</exception>
    ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken);

    /// <summary>Opens the image's data for reading from its start.</summary>
    /// <param name="context">The requester.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A stream the caller disposes.</returns>
    /// <exception cref="ImageNotFoundException">The image does not exist or the requester may not see it.</exception>
    ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken);
}
