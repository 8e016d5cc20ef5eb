namespace ImageVolumeCache.Caching;

/// <summary>What the backend says of the volume a cache entry points at.</summary>
internal enum CacheVolumeCheck
{
    /// <summary>A cache volume of the internal tenant holding the entry's image and version: safe to clone from and delete.</summary>
    Trusted,

    /// <summary>The backend does not hold the volume.</summary>
    Missing,

    /// <summary>
    /// The volume exists but is not the entry's cache volume (another owner, no cache mark, another image or version): the
    /// entry is dropped and the volume never cloned from or deleted.
    /// </summary>
    Untrusted,
}
