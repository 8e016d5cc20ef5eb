using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ImageVolumeCache.Images.Formats;

/// <summary>
/// A LUKS volume's virtual size: the bytes after its payload offset (version 1: a sector count in the binary header;
/// version 2: the first segment's offset in the JSON area), as qemu-img reports it.
/// </summary>
internal static class LuksHeader
{
    private const int PayloadOffsetAt = 104;
    private const int Luks2JsonAt = 4096;
    private const int MaxJsonLength = 4 * 1024 * 1024;

    public static async ValueTask<long> InspectAsync(ImageUnderInspection image, CancellationToken cancellationToken)
    {
        ReadOnlySpan<byte> header = image.HeadAt(0, PayloadOffsetAt + 4);
        if (header.IsEmpty)
        {
            throw image.Refuse("LUKS header", "the image is too short to hold a LUKS header.");
        }

        ushort version = BinaryPrimitives.ReadUInt16BigEndian(header[6..]);
        long payloadOffset = version switch
        {
            1 => BinaryPrimitives.ReadUInt32BigEndian(header[PayloadOffsetAt..]) * 512L,
            2 => await Luks2PayloadOffsetAsync(image, cancellationToken).ConfigureAwait(false),
            _ => throw image.Refuse("LUKS header", string.Create(CultureInfo.InvariantCulture, $"its version {version} is not LUKS 1 or 2.")),
        };
        return payloadOffset > image.Length
            ? throw image.Refuse("LUKS header", "its payload starts beyond the end of the image.")
            : image.Length - payloadOffset;
    }

    private static async ValueTask<long> Luks2PayloadOffsetAsync(ImageUnderInspection image, CancellationToken cancellationToken)
    {
        long headerSize = (long)BinaryPrimitives.ReadUInt64BigEndian(image.HeadAt(8, 8));
        int jsonLength = (int)Math.Clamp(headerSize - Luks2JsonAt, 0, MaxJsonLength);
        byte[] area = await image.Bytes.ReadAsync(Luks2JsonAt, jsonLength, cancellationToken).ConfigureAwait(false);
        int end = Array.IndexOf(area, (byte)0);
        try
        {
            using JsonDocument json = JsonDocument.Parse(Encoding.UTF8.GetString(area, 0, end < 0 ? area.Length : end));
            long offset = long.MaxValue;
            foreach (JsonProperty segment in json.RootElement.GetProperty("segments").EnumerateObject())
            {
                offset = Math.Min(offset, long.Parse(segment.Value.GetProperty("offset").GetString()!, CultureInfo.InvariantCulture));
            }

            return offset;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            throw image.Refuse("LUKS header", "its LUKS2 JSON area does not give a segment offset.");
        }
    }
}
