using System.Buffers.Binary;

namespace ImageVolumeCache.Images.Formats;

/// <summary>A VDI's virtual size from its header; a differencing image (which names a parent) is refused.</summary>
internal static class VdiHeader
{
    private const int ImageTypeAt = 0x4C;
    private const int DiskSizeAt = 0x170;
    private const uint DifferencingImage = 4;

    public static long Inspect(ImageUnderInspection image)
    {
        ReadOnlySpan<byte> header = image.HeadAt(0, DiskSizeAt + 8);
        if (header.IsEmpty)
        {
            throw image.Refuse("VDI header", "the image is too short to hold a VDI header.");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[ImageTypeAt..]) == DifferencingImage)
        {
            throw image.Refuse("VDI differencing image", "it is a differencing image, which names a parent image.");
        }

        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(header[DiskSizeAt..]);
        return size > long.MaxValue ? throw image.Refuse("VDI header", "its disk size is out of range.") : (long)size;
    }
}
