using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.FileSystem.Diagnostics;

/// <summary>
/// Every log message of the file-system package, source-generated. Event ids 4000-4999 belong to this package and never
/// change meaning once shipped.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Backend {Backend} clones volumes by {Method} (directory {Directory}).")]
    public static partial void CloneMethodChosen(ILogger logger, string backend, string method, string directory);

    [LoggerMessage(4001, LogLevel.Warning, "Removing the partial files of volume {VolumeId} on backend {Backend} failed; delete {Path} by hand.")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string volumeId, string backend, string path);

    [LoggerMessage(4002, LogLevel.Warning, "Volume {VolumeId} on backend {Backend} has no readable sidecar ({Path}); it is listed with its id and size only.")]
    public static partial void SidecarUnreadable(ILogger logger, string volumeId, string backend, string path);

    [LoggerMessage(4003, LogLevel.Debug, "Image {ImageId} could not be reflinked into volume {VolumeId} on backend {Backend} (errno {Errno}); the volume is made another way.")]
    public static partial void DirectImageCloneRefused(ILogger logger, string imageId, string volumeId, string backend, int errno);

    [LoggerMessage(4004, LogLevel.Information, "Removed {Path}, left by an interrupted create or delete of volume {VolumeId} on backend {Backend}: its volume file is gone.")]
    public static partial void LeftoverRemoved(ILogger logger, string path, string volumeId, string backend);

    [LoggerMessage(4005, LogLevel.Information, "Backend {Backend} clones no images directly: CloneImagesDirectly is on but no ImageDirectory is set.")]
    public static partial void DirectImageClonesOff(ILogger logger, string backend);

    [LoggerMessage(4006, LogLevel.Information, "Image {ImageId} is not cloned directly into volume {VolumeId} on backend {Backend}: location {Location} is not a file inside the image directory {ImageDirectory}.")]
    public static partial void DirectImageCloneOutside(ILogger logger, string imageId, string volumeId, string backend, string location, string imageDirectory);

    [LoggerMessage(4007, LogLevel.Warning, "{Path} in the directory of backend {Backend} is not named after a valid volume id; it is not listed.")]
    public static partial void VolumeFileNameInvalid(ILogger logger, string path, string backend);

    [LoggerMessage(4010, LogLevel.Information, "Computed the sha256 checksum of image {ImageId} ({SizeBytes} bytes) and kept it in its manifest.")]
    public static partial void ImageChecksumComputed(ILogger logger, string imageId, long sizeBytes);

    [LoggerMessage(4011, LogLevel.Error, "The manifest {ManifestPath} is refused, so image {ImageId} is not found: {Reason}")]
    public static partial void ManifestRefused(ILogger logger, string manifestPath, string imageId, string reason);
}
