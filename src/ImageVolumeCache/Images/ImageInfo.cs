namespace ImageVolumeCache;

/// <summary>
/// What the image service knows of one image: the facts the pipeline needs to size, cache and verify a volume made from it.
/// </summary>
/// <param name="Id">The image id.</param>
/// <param name="SizeBytes">The size of the image data as stored and streamed, in bytes.</param>
/// <param name="UpdatedAt">When the image was last changed; a cache entry made from an older instant is stale.</param>
public sealed record ImageInfo(string Id, long SizeBytes, DateTimeOffset UpdatedAt)
{
    private const long BytesPerGb = 1L << 30;

    /// <summary>The size of the disk the image expands to, in bytes, when known; <see langword="null"/> when unknown.</summary>
    public long? VirtualSizeBytes { get; init; }

    /// <summary>The image's name, for logs and listings. Default <see langword="null"/>.</summary>
    public string? Name { get; init; }

    /// <summary>The disk format (for example <c>raw</c> or <c>qcow2</c>). Default <c>raw</c>.</summary>
    public string DiskFormat { get; init; } = "raw";

    /// <summary>
    /// The container format (for example <c>bare</c>, <c>ovf</c>), or <see langword="null"/> when the image service does
    /// not say. Default <see langword="null"/>.
    /// </summary>
    public string? ContainerFormat { get; init; }

    /// <summary>
    /// The project that owns the image, or <see langword="null"/> when the image service does not say. An image-volume named
    /// by a <c>cinder://</c> location is cloned only when this project owns it. Default <see langword="null"/>.
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>The expected checksum of the image data as lower-case hex, or <see langword="null"/> when the image has none.</summary>
    public string? Checksum { get; init; }

    /// <summary>The algorithm of <see cref="Checksum"/>: <c>sha256</c>, <c>sha512</c> or <c>md5</c>. Default <c>sha256</c>.</summary>
    public string ChecksumAlgorithm { get; init; } = "sha256";

    /// <summary>
    /// Direct locations of the image data (for example <c>cinder://&lt;volume-id&gt;</c> when the image is held by a volume).
    /// Default empty.
    /// </summary>
    public IReadOnlyList<string> Locations { get; init; } = [];

    /// <summary>
    /// The smallest volume, in whole GB (GiB), that holds the image: its virtual size (or size when that is unknown) rounded up,
    /// and at least 1.
    /// </summary>
    public int MinimumSizeGb
    {
        get
        {
            // Rounded up without adding first, so that a size near long.MaxValue cannot wrap round to a small one.
            long bytes = VirtualSizeBytes ?? SizeBytes;
            long gb = bytes <= 0 ? 1 : (bytes / BytesPerGb) + (bytes % BytesPerGb == 0 ? 0 : 1);
            return (int)Math.Clamp(gb, 1, int.MaxValue);
        }
    }
}
