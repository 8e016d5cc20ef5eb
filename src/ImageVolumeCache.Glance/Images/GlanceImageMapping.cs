namespace ImageVolumeCache.Glance.Images;

/// <summary>Turns Glance's description of an image into the cache's <see cref="ImageInfo"/>.</summary>
internal static class GlanceImageMapping
{
    /// <summary>The algorithms of <c>os_hash_algo</c> the pipeline verifies; for any other, the md5 <c>checksum</c> is used.</summary>
    private static readonly string[] VerifiedHashes = ["sha512", "sha256"];

    /// <summary>
    /// Maps an active image. The multihash (<c>os_hash_algo</c>/<c>os_hash_value</c>) is preferred to the legacy md5
    /// <c>checksum</c> when its algorithm is one the pipeline verifies.
    /// </summary>
    /// <exception cref="ImageUnacceptableException">The image is not active (it has no data yet, or was deactivated), or its document lacks what the cache needs.</exception>
    public static ImageInfo ToImageInfo(string imageId, GlanceImage image)
    {
        if (!string.Equals(image.Status, "active", StringComparison.Ordinal))
        {
            throw new ImageUnacceptableException(imageId, $"Image '{imageId}' is not active in Glance (status {image.Status ?? "unknown"}): it has no data to make a volume from.");
        }

        if (image.Size is not { } size || size < 0 || image.UpdatedAt is not { } updatedAt)
        {
            throw new ImageUnacceptableException(imageId, $"Image '{imageId}' as Glance describes it has no size or no updated_at.");
        }

        (string? checksum, string algorithm) = Checksum(image);
        return new ImageInfo(image.Id ?? imageId, size, updatedAt)
        {
            Name = image.Name,
            VirtualSizeBytes = image.VirtualSize,
            DiskFormat = string.IsNullOrEmpty(image.DiskFormat) ? "raw" : image.DiskFormat,
            ContainerFormat = image.ContainerFormat,
            Owner = image.Owner,
            Checksum = checksum,
            ChecksumAlgorithm = algorithm,
            Locations = Locations(image),
        };
    }

    private static (string? Checksum, string Algorithm) Checksum(GlanceImage image)
    {
        if (!string.IsNullOrEmpty(image.HashValue) && image.HashAlgorithm is { } algorithm
            && Array.Exists(VerifiedHashes, a => string.Equals(a, algorithm, StringComparison.OrdinalIgnoreCase)))
        {
            return (image.HashValue.ToLowerInvariant(), algorithm.ToLowerInvariant());
        }

        return string.IsNullOrEmpty(image.Checksum) ? (null, "sha256") : (image.Checksum.ToLowerInvariant(), "md5");
    }

    /// <summary>The direct URL first, then every other location, each once.</summary>
    private static IReadOnlyList<string> Locations(GlanceImage image)
    {
        var locations = new List<string>();
        if (!string.IsNullOrEmpty(image.DirectUrl))
        {
            locations.Add(image.DirectUrl);
        }

        foreach (GlanceLocation location in image.Locations ?? [])
        {
            if (!string.IsNullOrEmpty(location.Url) && !locations.Contains(location.Url, StringComparer.Ordinal))
            {
                locations.Add(location.Url);
            }
        }

        return locations;
    }
}
