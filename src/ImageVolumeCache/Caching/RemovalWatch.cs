namespace ImageVolumeCache.Caching;

/// <summary>The entry-removal counts of an <see cref="EntryPinTable"/> at one moment; see <see cref="EntryPinTable.WatchRemovals"/>.</summary>
/// <param name="Started">Removals started so far.</param>
/// <param name="Ended">Removals ended so far (read before <paramref name="Started"/>).</param>
internal readonly record struct RemovalWatch(long Started, long Ended);
