namespace ImageVolumeCache.Images.Formats;

/// <summary>The <c>disk_format</c> names images claim (Glance's, with qemu's aliases) and the formats they stand for.</summary>
internal static class DiskFormatNames
{
    public static DiskImageFormat FromClaim(string claimed) => claimed.Trim().ToUpperInvariant() switch
    {
        "RAW" => DiskImageFormat.Raw,
        "QCOW2" => DiskImageFormat.Qcow2,
        "VMDK" => DiskImageFormat.Vmdk,
        "VHD" or "VPC" => DiskImageFormat.Vhd,
        "VHDX" => DiskImageFormat.Vhdx,
        "VDI" => DiskImageFormat.Vdi,
        "QED" => DiskImageFormat.Qed,
        "ISO" => DiskImageFormat.Iso,
        "LUKS" => DiskImageFormat.Luks,
        _ => DiskImageFormat.Unknown,
    };

    public static string Name(DiskImageFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>
    /// Whether bytes of <paramref name="detected"/> format satisfy a claim of <paramref name="claimed"/>: the same
    /// format, or an ISO claimed as raw (both are used byte for byte, and qemu-img reads an ISO as raw).
    /// </summary>
    public static bool Satisfies(DiskImageFormat detected, DiskImageFormat claimed) =>
        detected == claimed || (claimed == DiskImageFormat.Raw && detected == DiskImageFormat.Iso);

    /// <summary>Whether an image of the format is copied into a volume as it is, without conversion: raw, ISO and LUKS.</summary>
    public static bool IsCopiedAsIs(DiskImageFormat format) =>
        format is DiskImageFormat.Raw or DiskImageFormat.Iso or DiskImageFormat.Luks;

    /// <summary>The name qemu-img's <c>-f</c> takes for a format it converts.</summary>
    public static string QemuName(DiskImageFormat format) => format switch
    {
        DiskImageFormat.Qcow2 => "qcow2",
        DiskImageFormat.Vmdk => "vmdk",
        DiskImageFormat.Vhd => "vpc",
        DiskImageFormat.Vhdx => "vhdx",
        DiskImageFormat.Vdi => "vdi",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Only qcow2, VMDK, VHD, VHDX and VDI images are converted."),
    };
}
