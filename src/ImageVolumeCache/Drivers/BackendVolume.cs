namespace ImageVolumeCache;

/// <summary>A volume as a driver's listing reports it, for reconciling cache entries with what the backend holds.</summary>
/// <param name="Spec">
/// The volume as it was made (id, host, cluster, owner and metadata), with <see cref="VolumeSpec.SizeGb"/> at its
/// current size.
/// </param>
public sealed record BackendVolume(VolumeSpec Spec)
{
    /// <summary>
    /// Whether <see cref="IVolumeDriver.CopyImageToVolumeAsync"/> ran to the end of the image data for this volume and
    /// returned. A cache volume without it was cut short (for example by a crash) and is never adopted as an entry.
    /// Default <see langword="false"/>.
    /// </summary>
    public bool ImageDataComplete { get; init; }
}
