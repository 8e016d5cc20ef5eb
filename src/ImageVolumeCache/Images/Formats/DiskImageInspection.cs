namespace ImageVolumeCache;

/// <summary>What <see cref="DiskImageInspector"/> found in an image that passed every safety rule.</summary>
/// <param name="Format">The detected format; never <see cref="DiskImageFormat.Qed"/> or <see cref="DiskImageFormat.Unknown"/>, which are refused.</param>
/// <param name="VirtualSize">The size in bytes of the disk the image holds, from its header (for raw and ISO images, their length), as <c>qemu-img info</c> reports it.</param>
public sealed record DiskImageInspection(DiskImageFormat Format, long VirtualSize);
