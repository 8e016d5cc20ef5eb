using ImageVolumeCache.Images.Conversion;

namespace ImageVolumeCache.Pipeline;

/// <summary>
/// An image that needs conversion, downloaded into a scratch folder (its length and checksum verified) and inspected:
/// its format and, in <see cref="Image"/>, the virtual size its header gives. One request makes it at most once and
/// fills from it every volume it makes (the cache volume, or its own when no entry was made); disposing it removes the
/// scratch folder.
/// </summary>
internal sealed class PreparedImage(ScratchFolder folder, DiskImageFormat format, ImageInfo image) : IDisposable
{
    public ScratchFolder Folder { get; } = folder;

    public DiskImageFormat Format { get; } = format;

    /// <summary>The image as described, with <see cref="ImageInfo.VirtualSizeBytes"/> from its header.</summary>
    public ImageInfo Image { get; } = image;

    /// <summary>The image once converted: raw, of its virtual size.</summary>
    public ImageInfo RawImage { get; } = image with { SizeBytes = image.VirtualSizeBytes!.Value, DiskFormat = "raw", Checksum = null };

    /// <summary>Whether <see cref="ScratchFolder.ConvertedPath"/> holds the whole converted image.</summary>
    public bool Converted { get; set; }

    public void Dispose() => Folder.Dispose();
}
