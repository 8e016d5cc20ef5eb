namespace ImageVolumeCache.Caching;

/// <summary>How a clone from a cache entry ended, as <see cref="ICacheClient{TState}.CloneAsync"/> reports it when it did not throw.</summary>
internal enum CacheCloneOutcome
{
    /// <summary>The target was cloned (and grown to its size).</summary>
    Cloned,

    /// <summary>The entry's volume is gone from the backend; the cache evicts the entry.</summary>
    SourceMissing,

    /// <summary>The entry's volume has as many clones as the backend allows; the cache evicts the entry.</summary>
    CloneLimitReached,

    /// <summary>The clone failed for another reason; the entry is kept and the target was not made.</summary>
    Failed,
}
