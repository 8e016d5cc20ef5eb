using System.Buffers.Binary;

namespace ImageVolumeCache.Images.Formats;

/// <summary>
/// A VHD's virtual size, as qemu-img computes it, and its one safety rule: a differencing disk (which names a parent
/// image to read from the host) is refused.
/// </summary>
internal static class VhdFooter
{
    private const int FooterLength = 512;
    private const uint DifferencingDisk = 4;

    /// <summary>The largest CHS geometry (65535 cylinders, 16 heads, 255 sectors), in sectors: a disk this size or larger is sized by its footer.</summary>
    private const long MaxGeometrySectors = 65535L * 16 * 255;

    /// <summary>Creators whose images are sized by the footer's current size rather than by their geometry (qemu's list).</summary>
    private static readonly string[] SizedByCurrentSize = ["win ", "qem2", "d2v ", "CTXS", "tap\0"];

    /// <param name="image">The image.</param>
    /// <param name="lastSector">The image's last 512 bytes, where the footer is; a dynamic image also has a copy at 0.</param>
    /// <remarks>
    /// qemu-img reads the copy at offset 0 when there is one, and the last sector only otherwise (a fixed disk): so does
    /// this. Two copies that differ are refused, since they describe two disks.
    /// </remarks>
    public static long Inspect(ImageUnderInspection image, ReadOnlySpan<byte> lastSector)
    {
        ReadOnlySpan<byte> head = image.HeadAt(0, FooterLength);
        bool copyAtStart = head.StartsWith("conectix"u8);
        if (copyAtStart && lastSector.StartsWith("conectix"u8) && !head.SequenceEqual(lastSector))
        {
            throw image.Refuse("VHD footer", "the copy of its footer at the start differs from the footer at its end, so it describes two different disks.");
        }

        ReadOnlySpan<byte> footer = copyAtStart ? head : lastSector;
        if (footer.Length < FooterLength)
        {
            throw image.Refuse("VHD footer", "the image is too short to hold a VHD footer.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(footer[60..]) == DifferencingDisk)
        {
            throw image.Refuse("VHD differencing disk", "it is a differencing disk, which names a parent image that qemu-img would open from the host.");
        }

        ulong currentSize = BinaryPrimitives.ReadUInt64BigEndian(footer[48..]);
        long geometrySectors = (long)BinaryPrimitives.ReadUInt16BigEndian(footer[56..]) * footer[58] * footer[59];
        string creator = System.Text.Encoding.ASCII.GetString(footer.Slice(28, 4));
        bool sizedByGeometry = !SizedByCurrentSize.Contains(creator, StringComparer.Ordinal) && geometrySectors != MaxGeometrySectors;
        if (sizedByGeometry)
        {
            return geometrySectors * 512;
        }

        return currentSize > long.MaxValue
            ? throw image.Refuse("VHD footer", "its current size is out of range.")
            : (long)(currentSize / 512 * 512);
    }
}
