namespace ImageVolumeCache;

/// <summary>Which way the pipeline made the volume.</summary>
public enum CreateFromImagePath
{
    /// <summary>The driver made the volume from the image's own data (no cache entry).</summary>
    DirectClone,

    /// <summary>The volume was cloned from an image-volume named by a <c>cinder://</c> location (no cache entry).</summary>
    ImageVolumeClone,

    /// <summary>The volume was cloned from an existing cache entry.</summary>
    CacheHit,

    /// <summary>A new cache entry was made and the volume cloned from it.</summary>
    CacheMissCreated,

    /// <summary>The cache had no entry and none was made (no room, or making it failed); the image was downloaded into the volume.</summary>
    CacheMissNotCached,

    /// <summary>The cache was not used (off, or an encrypted volume); the image was downloaded into the volume.</summary>
    Download,
}
