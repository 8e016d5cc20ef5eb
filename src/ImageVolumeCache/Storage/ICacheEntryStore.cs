namespace ImageVolumeCache;

/// <summary>
/// Where cache entries are kept. The core ships an in-memory store; durable stores (SQLite, PostgreSQL) implement the
/// same contract. Every method is atomic on its own and safe for concurrent use; there is at most one entry per
/// (scope key, image id).
/// </summary>
/// <remarks>
/// The operations map to single statements on a database: lookup-and-touch is one <c>UPDATE … RETURNING</c>, LRU
/// candidates come from an index on (scope, last_used, id), totals from a per-scope aggregate. Least recently used
/// means ordered by <see cref="ImageCacheEntry.LastUsed"/> ascending, then <see cref="ImageCacheEntry.Id"/> ascending.
/// </remarks>
public interface ICacheEntryStore
{
    /// <summary>Finds the entry for an image in a scope and, when found, sets its <see cref="ImageCacheEntry.LastUsed"/> to <paramref name="now"/>.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="now">The time of use.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry as stored after the touch, or <see langword="null"/>.</returns>
    ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Finds the entry for an image in a scope without touching it.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken);

    /// <summary>Finds the entry whose cache volume has the given id.</summary>
    /// <param name="volumeId">The cache volume id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/> when the volume is not a cache volume.</returns>
    ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken);

    /// <summary>Adds an entry unless the scope already has one for the image.</summary>
    /// <param name="entry">The entry; its <see cref="ImageCacheEntry.Id"/> is ignored.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored entry with the id the store gave it, or <see langword="null"/> when (scope, image) already has an entry.</returns>
    ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes an entry.</summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when this call removed it; <see langword="false"/> when it was not there (already removed).</returns>
    ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken);

    /// <summary>Returns the least recently used entries of a scope, oldest first.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="maxCount">The most entries to return; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Up to <paramref name="maxCount"/> entries ordered by last use, then id.</returns>
    ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken);

    /// <summary>Returns the number and total size of a scope's entries, without reading every entry.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The totals; zero for an unknown scope.</returns>
    ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken);

    /// <summary>Lists entries, for administration.</summary>
    /// <param name="scopeKey">A scope key, or <see langword="null"/> for every scope.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, ordered by scope key, then least recently used first.</returns>
    ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken);

    /// <summary>
    /// Moves every entry of a scope into the scope of a cluster, as a host that joins a cluster does with its own entries
    /// (Cinder's <c>include_in_cluster</c>): a moved entry keeps its id, host, image, volume, size and times, and gets
    /// <paramref name="cluster"/> as its <see cref="ImageCacheEntry.Cluster"/> and <see cref="ImageCacheEntry.ScopeKey"/>
    /// (the scope key of a clustered entry is its cluster, see <see cref="CacheScope.Key"/>). Each entry is moved or not,
    /// atomically, against every concurrent call, and the totals of both scopes follow. An entry whose image the cluster's
    /// scope already holds is not moved (there is one entry per scope and image): it is returned in
    /// <see cref="ScopeMoveResult.Conflicts"/>, still in its scope, for the caller to evict.
    /// </summary>
    /// <param name="scopeKey">The scope whose entries move (a host scope, <c>host@backend</c> or <c>host@backend#pool</c>).</param>
    /// <param name="cluster">The cluster they move into, with the pool of the scope when it has one (<c>cluster@backend#pool</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries moved and the entries left because of a conflict; both empty for an unknown scope.</returns>
    /// <exception cref="ArgumentException">A key is empty, or the two are the same.</exception>
    ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the entries of an image in the other scopes of the same backend as <paramref name="scopeKey"/>: those whose key
    /// is the backend part of <paramref name="scopeKey"/> (everything before its <c>#</c>), alone or followed by
    /// <c>#</c> and a pool. So <c>host1@lvm#pool-a</c> finds <c>host1@lvm#pool-b</c> and <c>host1@lvm</c>, and
    /// <c>cluster1@lvm#pool-a</c> finds <c>cluster1@lvm#pool-b</c>; never an entry of another backend or cluster, nor of
    /// <paramref name="scopeKey"/> itself. Nothing is touched. Served by an index on (image, scope).
    /// </summary>
    /// <param name="scopeKey">The scope of the request.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, ordered by scope key (ordinal); empty when no other pool holds the image.</returns>
    ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken);
}
