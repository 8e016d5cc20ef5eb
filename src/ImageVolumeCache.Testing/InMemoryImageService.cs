using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ImageVolumeCache.Testing;

/// <summary>
/// An <see cref="IImageService"/> over images held in memory. Images are public, or private to their owner project;
/// checksums are real (sha256). Counts describes and downloads, and lets a test inject faults or replace the data stream.
/// Thread-safe.
/// </summary>
public sealed class InMemoryImageService : IImageService
{
    private readonly ConcurrentDictionary<string, StoredImage> _images = new(StringComparer.Ordinal);
    private int _describes;
    private int _downloads;

    /// <summary>The <c>updated_at</c> given to images added without one.</summary>
    public static readonly DateTimeOffset DefaultUpdatedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Called before every call with the operation name (<c>GetImage</c> or <c>OpenRead</c>) and the image id; return an
    /// exception to make the call fail with it. Default <see langword="null"/>.
    /// </summary>
    public Func<string, string, Exception?>? Fault { get; set; }

    /// <summary>Makes the stream <see cref="OpenReadAsync"/> returns from the image and its data. Default: a memory stream of the data.</summary>
    public Func<ImageInfo, byte[], Stream>? StreamFactory { get; set; }

    /// <summary>How many times an image was described.</summary>
    public int DescribeCount => Volatile.Read(ref _describes);

    /// <summary>How many times image data was opened (downloads).</summary>
    public int DownloadCount => Volatile.Read(ref _downloads);

    /// <summary>Adds (or replaces) an image.</summary>
    /// <param name="id">The image id.</param>
    /// <param name="data">The image data; its length is the image size and its sha256 the checksum.</param>
    /// <param name="ownerProjectId">The owner project for a private image; <see langword="null"/> for a public one.</param>
    /// <param name="updatedAt">The image's <c>updated_at</c>; default <see cref="DefaultUpdatedAt"/>.</param>
    /// <param name="virtualSizeBytes">The virtual size, when it differs from the data length.</param>
    /// <returns>The image as the service describes it.</returns>
    public ImageInfo Add(string id, byte[] data, string? ownerProjectId = null, DateTimeOffset? updatedAt = null, long? virtualSizeBytes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(data);
        var info = new ImageInfo(id, data.LongLength, updatedAt ?? DefaultUpdatedAt)
        {
            Name = id,
            VirtualSizeBytes = virtualSizeBytes,
            Checksum = Convert.ToHexStringLower(SHA256.HashData(data)),
            ChecksumAlgorithm = "sha256",
            Owner = ownerProjectId,
        };
        _images[id] = new StoredImage(info, data, ownerProjectId);
        return info;
    }

    /// <summary>Deletes an image: it is not found from now on.</summary>
    /// <param name="id">The image id.</param>
    /// <returns>Whether the image existed.</returns>
    public bool Remove(string id) => _images.TryRemove(id, out _);

    /// <summary>Replaces an image's description (for example to add locations), keeping its data and visibility.</summary>
    /// <param name="id">The image id.</param>
    /// <param name="change">Makes the new description from the old.</param>
    /// <returns>The new description.</returns>
    public ImageInfo Update(string id, Func<ImageInfo, ImageInfo> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        StoredImage stored = _images[id];
        ImageInfo updated = change(stored.Info);
        _images[id] = stored with { Info = updated };
        return updated;
    }

    /// <inheritdoc/>
    public ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _describes);
        return ValueTask.FromResult(Find(context, imageId, "GetImage").Info);
    }

    /// <inheritdoc/>
    public ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _downloads);
        StoredImage image = Find(context, imageId, "OpenRead");
        Stream stream = StreamFactory?.Invoke(image.Info, image.Data) ?? new MemoryStream(image.Data, writable: false);
        return ValueTask.FromResult(stream);
    }

    private StoredImage Find(RequestContext context, string imageId, string operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Fault?.Invoke(operation, imageId) is { } fault)
        {
            throw fault;
        }

        if (_images.TryGetValue(imageId, out StoredImage? image)
            && (image.OwnerProjectId is null || context.IsAdmin || image.OwnerProjectId == context.ProjectId))
        {
            return image;
        }

        throw new ImageNotFoundException(imageId);
    }

    private sealed record StoredImage(ImageInfo Info, byte[] Data, string? OwnerProjectId);
}
