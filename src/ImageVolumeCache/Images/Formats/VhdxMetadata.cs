using System.Buffers.Binary;

namespace ImageVolumeCache.Images.Formats;

/// <summary>
/// A VHDX's virtual size from its metadata region (found through the region table at 192 KiB), and its one safety rule:
/// a differencing disk, whose metadata has a parent locator naming a file on the host, is refused.
/// </summary>
internal static class VhdxMetadata
{
    private const long RegionTableAt = 192 * 1024;
    private const int TableLength = 64 * 1024;
    private const int EntryLength = 32;
    private const int MaxEntries = 2047;

    private static readonly Guid MetadataRegion = new("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static readonly Guid VirtualDiskSize = new("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    private static readonly Guid ParentLocator = new("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");

    public static async ValueTask<long> InspectAsync(ImageUnderInspection image, CancellationToken cancellationToken)
    {
        byte[] regions = await image.Bytes.ReadAsync(RegionTableAt, TableLength, cancellationToken).ConfigureAwait(false);
        if (regions.Length < 16 || !regions.AsSpan().StartsWith("regi"u8))
        {
            throw image.Refuse("VHDX header", "it has no region table at 192 KiB.");
        }

        long metadataAt = -1;
        uint regionCount = Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(regions.AsSpan(8)), MaxEntries);
        for (int i = 0; i < regionCount && 16 + ((i + 1) * EntryLength) <= regions.Length; i++)
        {
            ReadOnlySpan<byte> entry = regions.AsSpan(16 + (i * EntryLength), EntryLength);
            if (new Guid(entry[..16]) == MetadataRegion)
            {
                metadataAt = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            }
        }

        byte[] table = await image.Bytes.ReadAsync(metadataAt, TableLength, cancellationToken).ConfigureAwait(false);
        if (metadataAt < 0 || table.Length < 32 || !table.AsSpan().StartsWith("metadata"u8))
        {
            throw image.Refuse("VHDX header", "its region table names no readable metadata region.");
        }

        long? size = null;
        int itemCount = Math.Min((int)BinaryPrimitives.ReadUInt16LittleEndian(table.AsSpan(10)), MaxEntries);
        for (int i = 0; i < itemCount && 32 + ((i + 1) * EntryLength) <= table.Length; i++)
        {
            ReadOnlySpan<byte> entry = table.AsSpan(32 + (i * EntryLength), EntryLength);
            var item = new Guid(entry[..16]);
            if (item == ParentLocator)
            {
                throw image.Refuse("VHDX differencing disk", "its metadata has a parent locator, which names a parent image that qemu-img would open from the host.");
            }

            if (item == VirtualDiskSize)
            {
                long valueAt = metadataAt + BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]);
                byte[] value = await image.Bytes.ReadAsync(valueAt, 8, cancellationToken).ConfigureAwait(false);
                size = value.Length == 8 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(value) : null;
            }
        }

        return size is { } found and >= 0 ? found : throw image.Refuse("VHDX header", "its metadata gives no virtual disk size.");
    }
}
