namespace ImageVolumeCache;

/// <summary>
/// The host's view of the image-volume cache of every backend: the volume-delete hook (<see cref="OnVolumeDeletedAsync"/>),
/// and the administration calls (find, list, evict, purge, trim, reconcile). Every call is safe to make at any time:
/// entries being cloned from are never evicted, and each removal sends exactly one <c>evict</c>. Requests go through
/// <see cref="CreateFromImagePipeline"/>, which runs the cache's lookups and fills itself. Resolve it from the service
/// provider after <c>AddImageVolumeCache</c>; hosts do not implement it.
/// </summary>
public interface IImageVolumeCache
{
    /// <summary>Evicts one entry: deletes its cache volume, removes the entry and sends one <c>evict</c> notification.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the call before the volume is deleted.</param>
    /// <returns><see langword="true"/> when this call evicted it; <see langword="false"/> when it is in use, already gone, or its volume could not be deleted (logged).</returns>
    ValueTask<bool> EvictAsync(ImageCacheEntry entry, CancellationToken cancellationToken);

    /// <summary>Finds the entry of a cache volume.</summary>
    /// <param name="volumeId">A volume id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/> when the volume is not a cache volume.</returns>
    ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the cache that the host deleted a volume through its normal delete path. When the volume was a cache volume,
    /// its entry is removed and one <c>evict</c> notification is sent; the volume itself is left to the host.
    /// </summary>
    /// <param name="volumeId">The deleted volume's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when an entry was removed.</returns>
    ValueTask<bool> OnVolumeDeletedAsync(string volumeId, CancellationToken cancellationToken);

    /// <summary>
    /// What the cache holds and has done, per scope: entries and GB from the store, the limits, and this process's hits,
    /// misses, evictions by reason, fills in progress and last fill error since it started. Reads every entry of the
    /// store: for operators and health checks, not for every request.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The statistics.</returns>
    ValueTask<ImageVolumeCacheStatistics> GetStatisticsAsync(CancellationToken cancellationToken);

    /// <summary>Lists entries, most recently used first, a page at a time, for administration.</summary>
    /// <param name="scopeKey">The scope to list, or <see langword="null"/> for every scope.</param>
    /// <param name="skip">How many entries to skip (0 or more).</param>
    /// <param name="take">How many entries to return at most (1 or more).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page of entries.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="skip"/> is negative, or <paramref name="take"/> is not positive.</exception>
    ValueTask<IReadOnlyList<ImageCacheEntry>> ListByLastUseAsync(string? scopeKey, int skip, int take, CancellationToken cancellationToken);

    /// <summary>
    /// Evicts every entry of an image the image service deleted, in every scope, with reason <c>image_deleted</c> (one
    /// <c>evict</c> each), so that its data does not linger in the backends. An entry in use is left to the next trim.
    /// The trimmer finds deleted images by itself too (<see cref="ImageVolumeCacheOptions.ImageChecksPerTrim"/>); this
    /// call is for a host that learns of the deletion first.
    /// </summary>
    /// <param name="imageId">The deleted image.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many entries were evicted.</returns>
    ValueTask<int> OnImageDeletedAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>Lists entries, for administration.</summary>
    /// <param name="scopeKey">A scope key, or <see langword="null"/> for every scope.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, ordered by scope, then least recently used first.</returns>
    ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken);

    /// <summary>Evicts every entry of a scope that is not in use.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="cancellationToken">Cancels the call between evictions.</param>
    /// <returns>How many entries were evicted.</returns>
    ValueTask<int> PurgeAsync(string scopeKey, CancellationToken cancellationToken);

    /// <summary>
    /// Evicts least recently used entries of a scope until it holds within its backend's current limits (use after
    /// lowering a limit at run time; otherwise a lowered limit takes effect at the next entry creation).
    /// </summary>
    /// <param name="scope">The scope.</param>
    /// <param name="cancellationToken">Cancels the call between evictions.</param>
    /// <returns>How many entries were evicted.</returns>
    ValueTask<int> TrimAsync(CacheScope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one trim of every scope the store holds, as the trimmer does every <c>TrimInterval</c>: purges the scopes of
    /// backends whose cache is off when they say so (<c>PurgeWhenDisabled</c>), evicts down to the current limits, evicts
    /// entries idle for longer than <c>MaxIdle</c> (never a warm image's), and checks the next
    /// <c>ImageChecksPerTrim</c> cached images against the image service (deleted: <c>image_deleted</c>; changed:
    /// <c>stale</c>). Entries in use are left for the next trim; each eviction sends one <c>evict</c>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call between evictions.</param>
    /// <returns>How many entries were evicted, by reason.</returns>
    /// <exception cref="CacheEntryStoreException">The entry store cannot be read or written.</exception>
    ValueTask<TrimResult> TrimAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Brings a backend's entries in line with the volumes its driver lists (<see cref="IVolumeDriver.ListVolumesAsync"/>),
    /// after a restart or a crash: an entry whose cache volume is gone is removed (one <c>evict</c> each); a cache volume
    /// of the internal tenant without an entry is adopted as an entry when its image data is complete and the image is
    /// unchanged, and deleted otherwise. Cache volumes this process is still filling, and entries in use, are left alone.
    /// Does nothing when the cache is off for the backend.
    /// </summary>
    /// <param name="backend">The backend name (<c>host@backend</c>).</param>
    /// <param name="cancellationToken">Cancels the call between actions.</param>
    /// <returns>What was changed.</returns>
    /// <exception cref="ArgumentException">The backend is not registered.</exception>
    /// <exception cref="CacheEntryStoreException">The entry store cannot be read or written.</exception>
    ValueTask<ReconciliationResult> ReconcileAsync(string backend, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a backend's host-scoped entries into the cluster it is configured to serve (<c>Backends:&lt;name&gt;:Cluster</c>),
    /// as a host joining a cluster does in Cinder (<c>include_in_cluster</c>): the entries of scope <c>host@backend</c> go to
    /// <c>cluster@backend</c>, and those of <c>host@backend#pool</c> to <c>cluster@backend#pool</c>, so every member of the
    /// cluster hits them. An entry whose image the cluster already holds is evicted instead (its volume deleted, one
    /// <c>evict</c>), unless it is in use, when it is left in its scope (logged) for a later call. Entries being cloned from
    /// are never deleted. Does nothing when the cache is off for the backend.
    /// </summary>
    /// <param name="backend">The backend name (<c>host@backend</c>).</param>
    /// <param name="cancellationToken">Cancels the call between scopes.</param>
    /// <returns>How many entries were moved.</returns>
    /// <exception cref="ArgumentException">The backend is not registered.</exception>
    /// <exception cref="InvalidOperationException">The backend has no cluster configured.</exception>
    /// <exception cref="CacheEntryStoreException">The entry store cannot be read or written.</exception>
    ValueTask<int> IncludeInClusterAsync(string backend, CancellationToken cancellationToken);

    /// <summary>
    /// Pre-warms the cache: makes an entry of each image's current version in the backend's scope (its cluster's when it
    /// serves one) without a user volume, through the same fill protocol as a request's miss: the same single flight (a
    /// request for the image meanwhile waits for this fill and clones it), limits, fill steps (download, head check,
    /// conversion) and notifications. A fill sends one <c>miss</c>, as a miss would; an image already cached sends nothing
    /// (a warm is not a request, so it is no hit). An older entry of the image is retired as a lookup does, once no clone
    /// uses it. The images are described as an administrator of the internal tenant, one after the other.
    /// </summary>
    /// <param name="backend">The backend name (<c>host@backend</c>).</param>
    /// <param name="imageIds">The images to warm.</param>
    /// <param name="cancellationToken">Cancels the call; a fill it interrupts leaves nothing behind.</param>
    /// <returns>One result per image, in order: already cached, filled, not cached (no room), or failed with its error.</returns>
    /// <exception cref="ArgumentException">The backend is not registered, or an image id is blank.</exception>
    /// <exception cref="InvalidOperationException">The cache is off for the backend, or no image service is registered.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    ValueTask<IReadOnlyList<ImageWarmResult>> WarmAsync(string backend, IEnumerable<string> imageIds, CancellationToken cancellationToken);
}
