namespace ImageVolumeCache.Caching;

/// <summary>How the fill of a cache entry that other requests waited for ended.</summary>
internal enum CacheFillOutcome
{
    /// <summary>The entry was made; waiters look it up again and clone it.</summary>
    Created,

    /// <summary>The leader made no entry (no room, or a backend-side failure); waiters download into their own target.</summary>
    NotCached,

    /// <summary>The leader failed or was cancelled; one waiter takes over as the next leader.</summary>
    LeaderFailed,

    /// <summary>
    /// The image was refused by its inspection while the leader prepared it: waiters fail with the same refusal, without
    /// downloading the image again each in turn.
    /// </summary>
    Refused,
}
