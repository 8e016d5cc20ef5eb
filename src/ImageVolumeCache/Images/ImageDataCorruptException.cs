namespace ImageVolumeCache;

/// <summary>
/// The image data read from the image service did not match its metadata: a checksum mismatch or a short read.
/// Nothing is cached from such data.
/// </summary>
public sealed class ImageDataCorruptException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="imageId">The image id.</param>
    /// <param name="message">What did not match.</param>
    public ImageDataCorruptException(string imageId, string message)
        : base(message)
    {
        ImageId = imageId;
    }

    /// <summary>The image id.</summary>
    public string ImageId { get; }
}
