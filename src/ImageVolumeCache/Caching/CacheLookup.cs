namespace ImageVolumeCache.Caching;

/// <summary>The outcome of one cache lookup: a pinned entry to clone from, or why there is none.</summary>
/// <param name="Lease">The pinned entry on a hit; <see langword="null"/> otherwise.</param>
/// <param name="NoFill">
/// The request must download without making an entry, and without evicting anything to make room for one. Either the
/// lookup found a stale entry that could not be removed (its volume would not delete, or it is in use), so the scope
/// cannot take a new entry for the image until it goes; or the entry store could not be reached.
/// </param>
internal readonly record struct CacheLookup(CacheEntryLease? Lease, bool NoFill);
