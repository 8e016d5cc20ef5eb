namespace ImageVolumeCache;

/// <summary>A use of a cache entry that a store writes behind (see <see cref="CacheEntryTouches"/>).</summary>
/// <param name="EntryId">The entry's id.</param>
/// <param name="LastUsed">When it was used.</param>
public readonly record struct CacheEntryTouch(long EntryId, DateTimeOffset LastUsed);
