namespace ImageVolumeCache;

/// <summary>What <see cref="ICacheEntryStore.MoveToClusterAsync"/> did with the entries of a scope.</summary>
/// <param name="Moved">The entries moved, as stored after the move (same ids, in the cluster's scope), least recently used first.</param>
/// <param name="Conflicts">
/// The entries left where they were because the cluster's scope already holds an entry for their image (one entry per
/// scope and image), least recently used first. The caller evicts them: the cluster's entry serves that image.
/// </param>
public sealed record ScopeMoveResult(IReadOnlyList<ImageCacheEntry> Moved, IReadOnlyList<ImageCacheEntry> Conflicts)
{
    /// <summary>A move that found no entry in the scope.</summary>
    public static ScopeMoveResult Empty { get; } = new([], []);
}
