namespace ImageVolumeCache.Testing;

/// <summary>A volume held by an <see cref="InMemoryVolumeDriver"/>: its spec (with its current size) and its data.</summary>
/// <param name="Spec">The volume as it was made, with <see cref="VolumeSpec.SizeGb"/> updated by extends.</param>
/// <param name="Data">The bytes written to the volume from its start (the rest reads as zeros).</param>
public sealed record FakeVolume(VolumeSpec Spec, byte[] Data)
{
    /// <summary>The image a direct image clone made the volume from, else <see langword="null"/>.</summary>
    public string? ClonedFromImageId { get; init; }

    /// <summary>The volume this one was cloned from, else <see langword="null"/>.</summary>
    public string? ClonedFromVolumeId { get; init; }

    /// <summary>Whether a copy of image data into the volume ran to the end of the data. Default <see langword="false"/>.</summary>
    public bool ImageDataComplete { get; init; }
}
