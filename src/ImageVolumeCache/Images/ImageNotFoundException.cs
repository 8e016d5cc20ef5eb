namespace ImageVolumeCache;

/// <summary>
/// The image does not exist, or the requester may not see it. Both cases give the same answer, so that nobody learns of
/// an image they cannot read.
/// </summary>
public sealed class ImageNotFoundException : Exception
{
    /// <summary>Creates the exception for an image id.</summary>
    /// <param name="imageId">The image id that was asked for.</param>
    public ImageNotFoundException(string imageId)
        : base($"Image '{imageId}' was not found.")
    {
        ImageId = imageId;
    }

    /// <summary>The image id that was asked for.</summary>
    public string ImageId { get; }
}
