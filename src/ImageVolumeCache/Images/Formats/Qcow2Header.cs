using System.Buffers.Binary;
using System.Globalization;

namespace ImageVolumeCache.Images.Formats;

/// <summary>
/// The qcow2 header's virtual size, and its safety rules: the header must name no backing file and no external data
/// file, and set no incompatible feature this library does not know, because each makes qemu-img read other files
/// (a host file named by a tenant) or read the image in a way not checked here.
/// </summary>
internal static class Qcow2Header
{
    private const int BackingFileOffsetAt = 8;
    private const int SizeAt = 24;
    private const int IncompatibleFeaturesAt = 72;

    private const ulong ExternalDataFileBit = 1UL << 2;

    /// <summary>Dirty (0), corrupt (1), compression type (3) and extended L2 entries (4): they change nothing outside the image.</summary>
    private const ulong HarmlessIncompatibleBits = (1UL << 0) | (1UL << 1) | (1UL << 3) | (1UL << 4);

    public static long Inspect(ImageUnderInspection image)
    {
        ReadOnlySpan<byte> header = image.HeadAt(0, 104);
        if (header.IsEmpty)
        {
            throw image.Refuse("qcow2 header", "the image is too short to hold a qcow2 header.");
        }

        uint version = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (BinaryPrimitives.ReadUInt64BigEndian(header[BackingFileOffsetAt..]) != 0)
        {
            throw image.Refuse("qcow2 backing file", "its header names a backing file, which qemu-img would open from the host.");
        }

        if (version >= 3)
        {
            ulong incompatible = BinaryPrimitives.ReadUInt64BigEndian(header[IncompatibleFeaturesAt..]);
            if ((incompatible & ExternalDataFileBit) != 0)
            {
                throw image.Refuse(
                    "qcow2 external data file",
                    "its header sets the external data file feature, so its data would be read from another file on the host.");
            }

            ulong unknown = incompatible & ~(HarmlessIncompatibleBits | ExternalDataFileBit);
            if (unknown != 0)
            {
                throw image.Refuse(
                    "qcow2 unknown incompatible feature",
                    string.Create(CultureInfo.InvariantCulture, $"its header sets incompatible feature bits 0x{unknown:x} that this library does not know."));
            }
        }

        ulong size = BinaryPrimitives.ReadUInt64BigEndian(header[SizeAt..]);
        return size > long.MaxValue
            ? throw image.Refuse("qcow2 header", "its virtual size is out of range.")
            : (long)size;
    }
}
