namespace ImageVolumeCache;

/// <summary>
/// Metadata keys the library sets on every cache volume, so that a driver's listing can tell cache volumes apart and
/// say which image and version they hold.
/// </summary>
public static class CacheVolumeMetadata
{
    /// <summary>Marks a cache volume; the value is <c>true</c>.</summary>
    public const string CacheVolume = "image_volume_cache";

    /// <summary>The id of the image the volume holds.</summary>
    public const string ImageId = "image_volume_cache.image_id";

    /// <summary>The image's <c>updated_at</c> when the volume was made, in round-trip (<c>O</c>) format.</summary>
    public const string ImageUpdatedAt = "image_volume_cache.image_updated_at";
}
