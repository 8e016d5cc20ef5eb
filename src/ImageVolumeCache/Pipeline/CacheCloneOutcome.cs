namespace ImageVolumeCache.Pipeline;

/// <summary>How a clone from a cache entry ended, when it did not throw.</summary>
internal enum CacheCloneOutcome
{
    /// <summary>The target was cloned (and extended).</summary>
    Cloned,

    /// <summary>The source cannot be cloned any more (gone, or at its clone limit); its entry was evicted.</summary>
    SourceUnusable,

    /// <summary>The clone failed for another reason; the entry is kept and the target was not made.</summary>
    Failed,
}
