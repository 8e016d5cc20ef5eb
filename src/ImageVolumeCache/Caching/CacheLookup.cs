namespace ImageVolumeCache.Caching;

/// <summary>The outcome of one cache lookup: a pinned entry to clone from, or why there is none.</summary>
/// <param name="Lease">The pinned entry on a hit; <see langword="null"/> otherwise.</param>
/// <param name="StaleEntryKept">
/// The lookup found a stale entry that could not be removed (its volume would not delete, or it is in use): the scope
/// cannot take a new entry for the image until it goes, so the request downloads without making one, and without
/// evicting anything else to make room for it.
/// </param>
internal readonly record struct CacheLookup(CacheEntryLease? Lease, bool StaleEntryKept);
