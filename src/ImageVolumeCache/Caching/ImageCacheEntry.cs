namespace ImageVolumeCache;

/// <summary>
/// One cache entry: the cache volume that holds one version of one image in one scope.
/// </summary>
/// <param name="Id">The store's id of the entry; 0 for an entry not stored yet.</param>
/// <param name="ScopeKey">The scope the entry belongs to (<see cref="CacheScope.Key"/>).</param>
/// <param name="Host">The host the entry was made on (sent in notifications).</param>
/// <param name="Cluster">The cluster the entry was made on, or <see langword="null"/>.</param>
/// <param name="ImageId">The image the cache volume holds.</param>
/// <param name="ImageUpdatedAt">The image's <c>updated_at</c> when the cache volume was filled.</param>
/// <param name="VolumeId">The id of the cache volume.</param>
/// <param name="SizeGb">The size of the cache volume in GB.</param>
/// <param name="CreatedAt">When the entry was made.</param>
/// <param name="LastUsed">When the entry was last made or cloned from; eviction takes the oldest first.</param>
public sealed record ImageCacheEntry(
    long Id,
    string ScopeKey,
    string Host,
    string? Cluster,
    string ImageId,
    DateTimeOffset ImageUpdatedAt,
    string VolumeId,
    int SizeGb,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsed)
{
    /// <summary>The scope of the entry.</summary>
    public CacheScope Scope => new(Host, Cluster);

    /// <summary>Whether the entry was made from the given version of the image (instants compared, whatever the offset).</summary>
    /// <param name="image">The image as the image service describes it now.</param>
    /// <returns><see langword="true"/> when the entry is current; <see langword="false"/> when it is stale.</returns>
    public bool IsCurrentFor(ImageInfo image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ImageUpdatedAt.UtcTicks == image.UpdatedAt.UtcTicks;
    }
}
