namespace ImageVolumeCache;

/// <summary>
/// The image data stopped arriving: every attempt to download it went <see cref="ImageVolumeCacheOptions.DownloadStallTimeout"/>
/// without a byte, <see cref="ImageVolumeCacheOptions.DownloadRetries"/> retries included. The volume being filled is
/// deleted and nothing is cached.
/// </summary>
public sealed class ImageDownloadStalledException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="imageId">The image id.</param>
    /// <param name="attempts">How many downloads were started, the first included.</param>
    /// <param name="message">What stalled.</param>
    public ImageDownloadStalledException(string imageId, int attempts, string message)
        : base(message)
    {
        ImageId = imageId;
        Attempts = attempts;
    }

    /// <summary>The image id.</summary>
    public string ImageId { get; }

    /// <summary>How many downloads were started, the first included.</summary>
    public int Attempts { get; }
}
