using System.Buffers.Binary;

namespace ImageVolumeCache.Images.Formats;

/// <summary>
/// Every format whose signature an image carries. More than one is itself a refusal: an image must be read one way
/// only, or the check passes one reading and qemu-img uses another (an ISO whose system area holds a qcow2 header).
/// </summary>
internal static class FormatSignatures
{
    /// <summary>The byte offsets of the first ISO 9660 / UDF volume descriptors' identifiers (sectors 16 to 18, plus one).</summary>
    private static readonly int[] IsoIdentifierOffsets = [32769, 34817, 36865];

    private static ReadOnlySpan<byte> Qcow2Magic => [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    private static ReadOnlySpan<byte> LuksMagic => [(byte)'L', (byte)'U', (byte)'K', (byte)'S', 0xBA, 0xBE];

    public static List<DiskImageFormat> Detect(ReadOnlySpan<byte> head, ReadOnlySpan<byte> lastSector)
    {
        var found = new List<DiskImageFormat>();
        if (head.StartsWith(Qcow2Magic))
        {
            // qcow (version 1) shares the magic; only versions 2 and 3 are qcow2.
            uint version = head.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(head[4..]) : 0;
            found.Add(version is 2 or 3 ? DiskImageFormat.Qcow2 : DiskImageFormat.Unknown);
        }

        if (head.StartsWith("KDMV"u8) || VmdkDescriptor.IsDescriptorFile(head))
        {
            found.Add(DiskImageFormat.Vmdk);
        }

        if (head.StartsWith("conectix"u8) || lastSector.StartsWith("conectix"u8))
        {
            found.Add(DiskImageFormat.Vhd);
        }

        if (head.StartsWith("vhdxfile"u8))
        {
            found.Add(DiskImageFormat.Vhdx);
        }

        if (head.Length >= 0x44 && BinaryPrimitives.ReadUInt32LittleEndian(head[0x40..]) == 0xBEDA107F)
        {
            found.Add(DiskImageFormat.Vdi);
        }

        if (head.StartsWith("QED\0"u8))
        {
            found.Add(DiskImageFormat.Qed);
        }

        if (head.StartsWith(LuksMagic))
        {
            found.Add(DiskImageFormat.Luks);
        }

        if (IsIso(head))
        {
            found.Add(DiskImageFormat.Iso);
        }

        // Formats qemu-img reads but this library does not: VMDK3 ("COWD"), Parallels, Bochs.
        if (head.StartsWith("COWD"u8) || head.StartsWith("WithoutFreeSpace"u8) || head.StartsWith("WithouFreSpacExt"u8)
            || head.StartsWith("Bochs Virtual HD Image"u8))
        {
            found.Add(DiskImageFormat.Unknown);
        }

        return found;
    }

    private static bool IsIso(ReadOnlySpan<byte> head)
    {
        foreach (int offset in IsoIdentifierOffsets)
        {
            if (head.Length < offset + 5)
            {
                return false;
            }

            ReadOnlySpan<byte> id = head.Slice(offset, 5);
            if (id.SequenceEqual("CD001"u8) || id.SequenceEqual("BEA01"u8) || id.SequenceEqual("NSR02"u8) || id.SequenceEqual("NSR03"u8))
            {
                return true;
            }
        }

        return false;
    }
}
