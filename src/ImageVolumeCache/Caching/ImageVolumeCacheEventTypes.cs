namespace ImageVolumeCache;

/// <summary>The event types of cache notifications, as Cinder names them.</summary>
public static class ImageVolumeCacheEventTypes
{
    /// <summary>A lookup found a current entry.</summary>
    public const string Hit = "image_volume_cache.hit";

    /// <summary>A lookup found no current entry.</summary>
    public const string Miss = "image_volume_cache.miss";

    /// <summary>An entry was removed (evicted to make room, stale, deleted by hand or found broken).</summary>
    public const string Evict = "image_volume_cache.evict";
}
