namespace ImageVolumeCache.Images.Formats;

/// <summary>One image being inspected: its id (for refusals), its bytes, and its first bytes read once for every format's header.</summary>
internal sealed class ImageUnderInspection(string imageId, ImageBytes bytes, byte[] head)
{
    /// <summary>How many bytes at the start are read once: enough for every header and the ISO volume descriptors at 32 KiB.</summary>
    public const int HeadLength = 64 * 1024;

    public string ImageId { get; } = imageId;

    public ImageBytes Bytes { get; } = bytes;

    public byte[] Head { get; } = head;

    public long Length => Bytes.Length;

    /// <summary>The refusal of this image by <paramref name="rule"/>, saying <paramref name="why"/>.</summary>
    public ImageUnacceptableException Refuse(string rule, string why) => Refusal(ImageId, rule, why);

    /// <summary>The refusal of image <paramref name="imageId"/> by <paramref name="rule"/>, saying <paramref name="why"/>.</summary>
    public static ImageUnacceptableException Refusal(string imageId, string rule, string why) =>
        new(imageId, $"Image {imageId} is refused ({rule}): {why}");

    /// <summary>The head's bytes at <paramref name="offset"/>, or an empty span when the head is shorter.</summary>
    public ReadOnlySpan<byte> HeadAt(int offset, int count) =>
        Head.Length >= offset + count ? Head.AsSpan(offset, count) : [];
}
