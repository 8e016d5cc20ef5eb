namespace ImageVolumeCache.Caching;

/// <summary>How a request went through the cache.</summary>
internal enum CacheOutcome
{
    /// <summary>A hit: the volume was cloned from an existing entry.</summary>
    Hit,

    /// <summary>A miss that made an entry; the volume was cloned from it.</summary>
    Filled,

    /// <summary>A miss without a usable entry (no room, a cache-side failure, a stale entry that stays, a lost volume): the caller downloads.</summary>
    NotCached,

    /// <summary>A hit whose clone failed for a reason other than the entry's volume; the entry is kept and the caller downloads.</summary>
    HitCloneFailed,
}
