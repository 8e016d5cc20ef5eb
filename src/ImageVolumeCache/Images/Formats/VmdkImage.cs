using System.Buffers.Binary;

namespace ImageVolumeCache.Images.Formats;

/// <summary>
/// A VMDK's virtual size, and its safety rules. Only a sparse extent file with its descriptor embedded (monolithicSparse,
/// streamOptimized) is accepted: every other create type, and a text descriptor file, names extents that are other files,
/// which qemu-img would open from the host (OSSA-2024-001). A streamOptimized image whose header defers to a footer must
/// carry a footer that agrees with the header, or the header checked here is not the one qemu-img uses.
/// </summary>
internal static class VmdkImage
{
    private const int SectorSize = 512;
    private const int MaxDescriptorBytes = 1024 * 1024;
    private const ulong GrainDirectoryAtEnd = ulong.MaxValue;
    private const uint FooterMarker = 3;
    private const uint EndOfStreamMarker = 0;

    private static readonly string[] AcceptedCreateTypes = ["monolithicSparse", "streamOptimized"];

    public static async ValueTask<long> InspectAsync(ImageUnderInspection image, CancellationToken cancellationToken)
    {
        if (!image.Head.AsSpan().StartsWith("KDMV"u8))
        {
            throw RefuseDescriptorFile(image, VmdkDescriptor.Parse(image.Head));
        }

        ReadOnlySpan<byte> header = image.HeadAt(0, 79);
        if (header.IsEmpty)
        {
            throw image.Refuse("VMDK header", "the image is too short to hold a VMDK sparse header.");
        }

        SparseHeader sparse = SparseHeader.Read(header);
        if (sparse.Capacity == 0)
        {
            // qemu-img opens a sparse file whose header has no capacity through its embedded descriptor, and then looks the
            // descriptor's extent up by name in the image's folder: another file there would be read as the disk.
            throw image.Refuse("VMDK extent outside the image", "its header's capacity is 0, so qemu-img would read the disk from the file its descriptor names, beside the image.");
        }

        if (sparse.GrainDirectoryOffset == GrainDirectoryAtEnd)
        {
            await CheckFooterAsync(image, sparse, cancellationToken).ConfigureAwait(false);
        }

        if (sparse.DescriptorOffset == 0 || sparse.DescriptorSize == 0)
        {
            throw image.Refuse("VMDK create type", "it has no embedded descriptor, so its create type cannot be checked.");
        }

        int descriptorLength = (int)Math.Min(sparse.DescriptorSize * SectorSize, MaxDescriptorBytes);
        byte[] descriptor = await image.Bytes.ReadAsync((long)sparse.DescriptorOffset * SectorSize, descriptorLength, cancellationToken).ConfigureAwait(false);
        CheckEmbeddedDescriptor(image, VmdkDescriptor.Parse(descriptor));
        return sparse.Capacity > long.MaxValue / SectorSize
            ? throw image.Refuse("VMDK header", "its capacity is out of range.")
            : (long)sparse.Capacity * SectorSize;
    }

    /// <summary>A text descriptor file holds no disk data: whatever its extents name are other files.</summary>
    private static ImageUnacceptableException RefuseDescriptorFile(ImageUnderInspection image, VmdkDescriptor descriptor)
    {
        VmdkExtent? named = descriptor.Extents.FirstOrDefault(e => e.FileName is not null);
        return named is null
            ? image.Refuse("VMDK extent outside the image", "it is a descriptor file, which holds no disk data: its extents would be other files on the host.")
            : image.Refuse(
                "VMDK extent outside the image",
                $"it is a descriptor file whose {named.Type} extent {VmdkDescriptor.Quote(named.FileName)} is another file, which qemu-img would open from the host.");
    }

    private static void CheckEmbeddedDescriptor(ImageUnderInspection image, VmdkDescriptor descriptor)
    {
        if (descriptor.Parent is { } parent)
        {
            throw image.Refuse(
                "VMDK parent disk",
                $"its descriptor names a parent disk ({parent}), which qemu-img would open from the host as its backing file.");
        }

        foreach (VmdkExtent extent in descriptor.Extents.Where(e => e.Type != "ZERO" || e.FileName is not null))
        {
            if (extent.Type != "SPARSE")
            {
                throw image.Refuse(
                    "VMDK extent outside the image",
                    $"its descriptor names a {extent.Type} extent {VmdkDescriptor.Quote(extent.FileName)}, which is not this file's own sparse data.");
            }

            // Only the bytes are known here, not the file's name, so the extent must at least name no other folder:
            // qemu-img reads a sparse file's data from the file itself, and a bare name can reach nothing else.
            if (!IsBareFileName(extent.FileName))
            {
                throw image.Refuse(
                    "VMDK extent outside the image",
                    $"its descriptor names the sparse extent {VmdkDescriptor.Quote(extent.FileName)}, which is not this file.");
            }
        }

        if (descriptor.Extents.Count(e => e.Type == "SPARSE") > 1)
        {
            throw image.Refuse("VMDK extent outside the image", "its descriptor names more than one data file; a monolithic image holds its one extent itself.");
        }

        if (descriptor.CreateType is null || !AcceptedCreateTypes.Contains(descriptor.CreateType, StringComparer.Ordinal))
        {
            throw image.Refuse(
                "VMDK create type",
                $"its create type is {VmdkDescriptor.Quote(descriptor.CreateType)}; only monolithicSparse and streamOptimized keep the whole disk in one file.");
        }
    }

    private static bool IsBareFileName(string? name) =>
        !string.IsNullOrEmpty(name) && name is not "." and not ".." && name.IndexOfAny(['/', '\\', ':']) < 0;

    /// <summary>The footer: a footer marker, a copy of the header with the grain directory's offset, an end-of-stream marker, in the last three sectors.</summary>
    private static async ValueTask CheckFooterAsync(ImageUnderInspection image, SparseHeader header, CancellationToken cancellationToken)
    {
        byte[] tail = await image.Bytes.ReadAsync(image.Length - (3 * SectorSize), 3 * SectorSize, cancellationToken).ConfigureAwait(false);
        bool markersValid = tail.Length == 3 * SectorSize
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(8)) == 0
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(12)) == FooterMarker
            && tail.AsSpan(SectorSize).StartsWith("KDMV"u8)
            && BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(2 * SectorSize)) == 0
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan((2 * SectorSize) + 8)) == 0
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan((2 * SectorSize) + 12)) == EndOfStreamMarker;
        if (!markersValid)
        {
            throw image.Refuse("VMDK footer", "its header says the grain directory is in a footer, and the image ends with no valid footer.");
        }

        SparseHeader footer = SparseHeader.Read(tail.AsSpan(SectorSize));
        if (footer.Capacity != header.Capacity || footer.GrainSize != header.GrainSize
            || footer.DescriptorOffset != header.DescriptorOffset || footer.DescriptorSize != header.DescriptorSize)
        {
            throw image.Refuse("VMDK footer", "its footer disagrees with its header (capacity, grain size or descriptor), and qemu-img would use the footer.");
        }
    }

    private readonly record struct SparseHeader(ulong Capacity, ulong GrainSize, ulong DescriptorOffset, ulong DescriptorSize, ulong GrainDirectoryOffset)
    {
        public static SparseHeader Read(ReadOnlySpan<byte> header) => new(
            BinaryPrimitives.ReadUInt64LittleEndian(header[12..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[20..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[28..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[36..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[56..]));
    }
}
