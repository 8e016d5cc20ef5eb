namespace ImageVolumeCache;

/// <summary>
/// The image cannot be made into the requested volume: it is larger than the volume, or in a form the backend cannot take.
/// </summary>
public sealed class ImageUnacceptableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="imageId">The image id.</param>
    /// <param name="message">What is wrong, with the sizes or formats involved.</param>
    public ImageUnacceptableException(string imageId, string message)
        : base(message)
    {
        ImageId = imageId;
    }

    /// <summary>The image id.</summary>
    public string ImageId { get; }
}
