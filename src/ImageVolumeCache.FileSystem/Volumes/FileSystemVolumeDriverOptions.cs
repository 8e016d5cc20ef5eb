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
    /// Whether <see cref="IVolumeDriver.TryCloneImageAsync"/> reflinks an image whose file (a <c>file://</c> location) lies on
    /// the same reflink-capable file system. Default <see langword="true"/>. Turn it off to always use the cache path.
    /// </summary>
    public bool CloneImagesDirectly { get; set; } = true;

    /// <summary>Throws when a required option is missing.</summary>
    /// <exception cref="ArgumentException"><see cref="BackendName"/> or <see cref="Directory"/> is empty.</exception>
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
    }
}
