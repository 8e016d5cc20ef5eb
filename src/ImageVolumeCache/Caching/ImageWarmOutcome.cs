namespace ImageVolumeCache;

/// <summary>What <see cref="IImageVolumeCache.WarmAsync"/> did for one image.</summary>
public enum ImageWarmOutcome
{
    /// <summary>The scope already held an entry of the image's current version; nothing was done and nothing sent.</summary>
    AlreadyCached,

    /// <summary>A cache entry was made (one <c>miss</c> sent, as a request's miss would).</summary>
    Filled,

    /// <summary>No entry was made: no room within the scope's limits, or a cache-side failure (logged); one <c>miss</c> sent.</summary>
    NotCached,

    /// <summary>The image could not be described or filled; <see cref="ImageWarmResult.Error"/> says why.</summary>
    Failed,
}
