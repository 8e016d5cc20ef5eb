using ImageVolumeCache.Images.Formats;

namespace ImageVolumeCache;

/// <summary>
/// Finds a disk image's format and virtual size in its own bytes, and refuses an image that is unsafe to hand to
/// qemu-img: one that would make it read other files on the host, that can be read as more than one format, or that is
/// not the format it claims. Nothing but the image's bytes is read; qemu-img is not run.
/// </summary>
public static class DiskImageInspector
{
    private const string QedRefusal = "QED is not supported, and qemu-img follows a QED image's backing file.";

    /// <summary>Inspects an image.</summary>
    /// <param name="imageId">The image id, named in a refusal.</param>
    /// <param name="image">
    /// The image's bytes. This version needs a seekable stream (a downloaded file): headers are read at their offsets,
    /// some near the end (a VHD footer, a VMDK stream footer). The stream's position is restored afterwards.
    /// </param>
    /// <param name="claimedDiskFormat">
    /// The <c>disk_format</c> the image claims (<c>raw</c>, <c>qcow2</c>, <c>vmdk</c>, <c>vhd</c> or <c>vpc</c>,
    /// <c>vhdx</c>, <c>vdi</c>, <c>iso</c>, <c>luks</c>), or null to accept whatever is detected. An ISO may be claimed as raw.
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The detected format (GPT and MBR disks are <see cref="DiskImageFormat.Raw"/>) and the virtual size.</returns>
    /// <exception cref="ImageUnacceptableException">
    /// The image is refused; the message names the rule and why: a qcow2 backing file, external data file or unknown
    /// incompatible feature; a VMDK extent outside the image, a VMDK create type other than monolithicSparse or
    /// streamOptimized, or a VMDK footer that disagrees with its header; a VHD, VHDX or VDI differencing disk; a QED
    /// image; an unknown format; more than one format's signature (an ISO whose system area holds another header); or a
    /// format other than the claimed one.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not seekable.</exception>
    public static async Task<DiskImageInspection> InspectAsync(string imageId, Stream image, string? claimedDiskFormat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imageId);
        ArgumentNullException.ThrowIfNull(image);
        if (!image.CanSeek || !image.CanRead)
        {
            throw new ArgumentException("The image stream must be readable and seekable.", nameof(image));
        }

        long position = image.Position;
        try
        {
            var bytes = new ImageBytes(image);
            byte[] head = await bytes.ReadAsync(0, ImageUnderInspection.HeadLength, cancellationToken).ConfigureAwait(false);
            byte[] lastSector = await bytes.ReadAsync(bytes.Length - 512, 512, cancellationToken).ConfigureAwait(false);
            var inspected = new ImageUnderInspection(imageId, bytes, head);
            DiskImageFormat format = Detect(inspected, lastSector, claimedDiskFormat);
            long virtualSize = format switch
            {
                DiskImageFormat.Raw or DiskImageFormat.Iso => bytes.Length,
                DiskImageFormat.Qcow2 => Qcow2Header.Inspect(inspected),
                DiskImageFormat.Vmdk => await VmdkImage.InspectAsync(inspected, cancellationToken).ConfigureAwait(false),
                DiskImageFormat.Vhd => VhdFooter.Inspect(inspected, lastSector),
                DiskImageFormat.Vhdx => await VhdxMetadata.InspectAsync(inspected, cancellationToken).ConfigureAwait(false),
                DiskImageFormat.Vdi => VdiHeader.Inspect(inspected),
                DiskImageFormat.Luks => await LuksHeader.InspectAsync(inspected, cancellationToken).ConfigureAwait(false),
                DiskImageFormat.Qed => throw inspected.Refuse("QED image", QedRefusal),
                _ => throw inspected.Refuse("unknown format", "its header is of a disk image format this library does not handle."),
            };
            return new DiskImageInspection(format, virtualSize);
        }
        finally
        {
            image.Position = position;
        }
    }

    /// <summary>
    /// Checks the first bytes of an image that is streamed as it is (claimed raw, ISO or LUKS) before anything is made
    /// from it: they must carry no other format's header. Only the signatures are checked; nothing is converted.
    /// </summary>
    /// <param name="imageId">The image id, named in a refusal.</param>
    /// <param name="head">The image's first bytes: <see cref="HeadLength"/> of them, or the whole image when it is shorter.</param>
    /// <param name="claimedDiskFormat">The claimed <c>disk_format</c>.</param>
    /// <returns>The detected format.</returns>
    /// <exception cref="ImageUnacceptableException">The bytes are another format than the claimed one, or carry more than one format's signature.</exception>
    internal static DiskImageFormat CheckHead(string imageId, byte[] head, string claimedDiskFormat)
    {
        var inspected = new ImageUnderInspection(imageId, new ImageBytes(new MemoryStream(head, writable: false)), head);
        return Detect(inspected, [], claimedDiskFormat);
    }

    /// <summary>
    /// Refuses, before anything is downloaded, a claimed <c>disk_format</c> that no inspection could accept: one this
    /// library does not handle, or QED. The refusal is the one <see cref="InspectAsync"/> would give.
    /// </summary>
    /// <exception cref="ImageUnacceptableException">The claim is refused.</exception>
    internal static void CheckClaim(string imageId, string claimedDiskFormat)
    {
        switch (DiskFormatNames.FromClaim(claimedDiskFormat))
        {
            case DiskImageFormat.Unknown:
                throw UnknownClaim(imageId, claimedDiskFormat);
            case DiskImageFormat.Qed:
                throw ImageUnderInspection.Refusal(imageId, "QED image", QedRefusal);
        }
    }

    private static ImageUnacceptableException UnknownClaim(string imageId, string claimedDiskFormat) =>
        ImageUnderInspection.Refusal(imageId, "unknown format", $"it claims disk_format {VmdkDescriptor.Quote(claimedDiskFormat)}, which this library does not handle.");

    /// <summary>How many bytes <see cref="CheckHead"/> needs.</summary>
    internal const int HeadLength = ImageUnderInspection.HeadLength;

    private static DiskImageFormat Detect(ImageUnderInspection image, byte[] lastSector, string? claimedDiskFormat)
    {
        List<DiskImageFormat> found = FormatSignatures.Detect(image.Head, lastSector);
        if (found.Count > 1)
        {
            string names = string.Join(" and ", found.Select(DiskFormatNames.Name));
            throw found.Contains(DiskImageFormat.Iso)
                ? image.Refuse("ISO with another format's header", $"it is an ISO whose system area carries another format's header ({names}).")
                : image.Refuse("more than one format", $"its bytes carry the signatures of {names}, so it could be read more than one way.");
        }

        DiskImageFormat detected = found.Count == 1 ? found[0] : DiskImageFormat.Raw;
        if (claimedDiskFormat is null)
        {
            return detected;
        }

        DiskImageFormat claimed = DiskFormatNames.FromClaim(claimedDiskFormat);
        if (claimed == DiskImageFormat.Unknown)
        {
            throw UnknownClaim(image.ImageId, claimedDiskFormat);
        }

        return DiskFormatNames.Satisfies(detected, claimed)
            ? detected
            : throw image.Refuse("format mismatch", $"it claims disk_format {DiskFormatNames.Name(claimed)}, but its bytes are {DiskFormatNames.Name(detected)}.");
    }
}
