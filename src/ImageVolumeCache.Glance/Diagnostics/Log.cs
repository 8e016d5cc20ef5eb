using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Glance.Diagnostics;

/// <summary>
/// Every log message of the Glance package, source-generated. Event ids 5000-5999 belong to this package and never
/// change meaning once shipped. Messages name images and byte offsets, never tokens or data.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "The download of image {ImageId} was interrupted at byte {Offset} of {Length} ({Reason}); resuming there (try {Try} of {Tries} without new data).")]
    public static partial void DownloadInterrupted(ILogger logger, string imageId, long offset, long length, string reason, int @try, int tries);

    [LoggerMessage(5001, LogLevel.Debug, "The download of image {ImageId} resumed at byte {Offset}.")]
    public static partial void DownloadResumed(ILogger logger, string imageId, long offset);

    [LoggerMessage(5002, LogLevel.Warning, "Glance sent image {ImageId} from its first byte when asked to resume at byte {Offset} (HTTP {Status}); the download starts over.")]
    public static partial void DownloadNotResumable(ILogger logger, string imageId, long offset, int status);

    [LoggerMessage(5003, LogLevel.Warning, "Image {ImageId} changed in Glance while it was being downloaded (at byte {Offset}); the download starts over with the new version.")]
    public static partial void ImageChanged(ILogger logger, string imageId, long offset);

    [LoggerMessage(5004, LogLevel.Error, "The download of image {ImageId} was interrupted at byte {Offset} of {Length} {Tries} times in a row without new data; giving up.")]
    public static partial void DownloadGivingUp(ILogger logger, Exception exception, string imageId, long offset, long length, int tries);

    [LoggerMessage(5005, LogLevel.Debug, "Glance answered HTTP {Status} for image {ImageId}; it is reported as not found.")]
    public static partial void ImageNotVisible(ILogger logger, string imageId, int status);

    [LoggerMessage(5006, LogLevel.Warning, "A header provider threw for a request about image {ImageId}; the request is not sent.")]
    public static partial void HeaderProviderFailed(ILogger logger, Exception exception, string imageId);
}
