namespace ImageVolumeCache.FileSystem;

/// <summary>Where and how a <see cref="FileSystemVolumeDriver"/> keeps its volumes.</summary>
public sealed class FileSystemVolumeDriverOptions
{
    /// <summary>The backend name (<c>host@backend</c>), used in messages and logs. Required.</summary>
    public string BackendName { get; set; } = string.Empty;

    /// <summary>
    /// The directory holding the volumes (<c>&lt;volume-id&gt;.img</c> and their <c>.json</c> sidecars). Required; it must
    /// exist when a volume is made (the driver never creates it, so a mistyped path fails instead of filling another disk).
    /// </summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>
    /// Whether <see cref="IVolumeDriver.TryCloneImageAsync"/> reflinks an image whose file (a <c>file://</c> location inside
    /// <see cref="ImageDirectory"/>) lies on the same reflink-capable file system. Default <see langword="true"/>; without an
    /// <see cref="ImageDirectory"/> there are no direct clones whatever this says. Turn it off to always use the cache path.
    /// </summary>
    public bool CloneImagesDirectly { get; set; } = true;

    /// <summary>
    /// The folder whose image files a direct image clone may read: a <c>file://</c> location whose real path (symbolic links
    /// resolved) is anywhere else is never opened. Default <see langword="null"/>: no direct image clones.
    /// <c>AddFileSystemBackend</c> sets it to the folder of the folder image service when one is used and this is not set.
    /// </summary>
    public string? ImageDirectory { get; set; }

    /// <summary>Throws when a required option is missing.</summary>
    /// <exception cref="ArgumentException">
    /// <see cref="BackendName"/> or <see cref="Directory"/> is empty, or <see cref="ImageDirectory"/> is set but empty.
    /// </exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(BackendName))
        {
            throw new ArgumentException($"{nameof(FileSystemVolumeDriverOptions)}.{nameof(BackendName)} must not be empty.", "options");
        }

        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException($"{nameof(FileSystemVolumeDriverOptions)}.{nameof(Directory)} of backend '{BackendName}' must not be empty.", "options");
        }

        if (ImageDirectory is not null && string.IsNullOrWhiteSpace(ImageDirectory))
        {
            throw new ArgumentException(
                $"{nameof(FileSystemVolumeDriverOptions)}.{nameof(ImageDirectory)} of backend '{BackendName}' must be a folder, or null for no direct image clones.", "options");
        }
    }
}
