namespace ImageVolumeCache.Images.Formats;

/// <summary>
/// Ranges of one image's bytes, read at given offsets from a seekable stream: the only way the inspector looks at an
/// image, so nothing outside the image is ever read.
/// </summary>
internal sealed class ImageBytes(Stream stream)
{
    public long Length { get; } = stream.Length;

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="offset"/>: fewer at the end of the image, none beyond it.</summary>
    public async ValueTask<byte[]> ReadAsync(long offset, int count, CancellationToken cancellationToken)
    {
        if (offset < 0 || offset >= Length || count <= 0)
        {
            return [];
        }

        var buffer = new byte[(int)Math.Min(count, Length - offset)];
        stream.Position = offset;
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }
}
