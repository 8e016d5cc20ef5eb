namespace ImageVolumeCache;

/// <summary>
/// The scratch folder's file system has too little free space for an image that must be downloaded (and converted)
/// there. Thrown before the download starts, or before the conversion when the image's header shows it needs more.
/// </summary>
public sealed class InsufficientScratchSpaceException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="imageId">The image.</param>
    /// <param name="directory">The scratch folder.</param>
    /// <param name="requiredBytes">The bytes the image needs there.</param>
    /// <param name="availableBytes">The bytes free there.</param>
    /// <param name="message">What is short, and what to do.</param>
    public InsufficientScratchSpaceException(string imageId, string directory, long requiredBytes, long availableBytes, string message)
        : base(message)
    {
        ImageId = imageId;
        Directory = directory;
        RequiredBytes = requiredBytes;
        AvailableBytes = availableBytes;
    }

    /// <summary>The image.</summary>
    public string ImageId { get; }

    /// <summary>The scratch folder.</summary>
    public string Directory { get; }

    /// <summary>The bytes the image needs in the scratch folder.</summary>
    public long RequiredBytes { get; }

    /// <summary>The bytes that were free there.</summary>
    public long AvailableBytes { get; }
}
