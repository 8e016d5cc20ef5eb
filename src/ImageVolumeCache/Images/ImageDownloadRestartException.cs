namespace ImageVolumeCache;

/// <summary>
/// Thrown by a read of an image's data when the image service could not continue an interrupted download where it
/// stopped: the server can only send the data from its first byte, or the image changed meanwhile. The pipeline then
/// starts the download over from the first byte with a fresh checksum; when <see cref="ImageChanged"/> it describes the
/// image again first and starts the whole request over, so that nothing is made or cached from the old version's bytes.
/// Either counts against <see cref="ImageVolumeCacheOptions.DownloadRetries"/>; once they are spent the exception fails
/// the request.
/// </summary>
public sealed class ImageDownloadRestartException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="imageId">The image id.</param>
    /// <param name="imageChanged">Whether the image's data changed since the download started (another version is served now).</param>
    /// <param name="message">Why the download cannot be continued.</param>
    public ImageDownloadRestartException(string imageId, bool imageChanged, string message)
        : base(message)
    {
        ImageId = imageId;
        ImageChanged = imageChanged;
    }

    /// <summary>The image id.</summary>
    public string ImageId { get; }

    /// <summary>Whether the image's data changed since the download started; when <see langword="false"/> the same data is sent again from its first byte.</summary>
    public bool ImageChanged { get; }
}
