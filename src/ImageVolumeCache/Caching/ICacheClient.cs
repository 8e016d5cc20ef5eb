namespace ImageVolumeCache.Caching;

/// <summary>
/// What a caller of <see cref="DefaultImageVolumeCache.AcquireOrFillAsync{TState}"/> does for the cache: fill a new cache
/// volume with the image, and clone its own volume from an entry. The cache runs everything between these calls (lookup,
/// single flight, room, the "being filled" marks, pins, notifications), in the order its rules need. The state is the
/// caller's request, passed back to each call, so that nothing is allocated per request to carry it.
/// </summary>
/// <typeparam name="TState">The caller's per-request state.</typeparam>
internal interface ICacheClient<in TState>
{
    /// <summary>
    /// Readies the image for a fill, before room is made for it: an image that needs conversion is downloaded and
    /// inspected here, so that the room made, and the entry's size, are its header's virtual size. Returns the image with
    /// its sizes as inspected. A refusal is thrown, before any volume exists.
    /// </summary>
    ValueTask<ImageInfo> PrepareFillAsync(TState state, ImageInfo image, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="cacheVolume"/> on the backend and copies the image into it. On failure it deletes what it
    /// made and throws.
    /// </summary>
    ValueTask FillAsync(TState state, ImageInfo image, VolumeSpec cacheVolume, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a failure of <see cref="FillAsync"/> came from the image itself (not found, corrupt, stalled): such a
    /// failure is the request's and is thrown; any other is the cache's, and the request goes on without an entry.
    /// </summary>
    bool IsImageFailure(TState state, Exception exception);

    /// <summary>
    /// Whether a refusal thrown by <see cref="PrepareFillAsync"/> holds for every request for the image (its inspection
    /// refused it), so that requests waiting for the same fill fail with it instead of downloading the image again; a
    /// refusal of this request's own volume (too small) holds for it alone.
    /// </summary>
    bool IsRefusedForEveryone(TState state, ImageUnacceptableException refusal);

    /// <summary>
    /// Clones the caller's volume from the entry (pinned while this runs) and grows it to its size. A clone that fails
    /// is reported, having made nothing; a failure that is the request's own (cancellation, a taken id, growing the
    /// clone) is thrown.
    /// </summary>
    ValueTask<CacheCloneOutcome> CloneAsync(TState state, ImageInfo image, ImageCacheEntry entry, CancellationToken cancellationToken);

    /// <summary>Reports that one of the cache's steps starts, on <paramref name="image"/> (as prepared, for the fill), for the request's progress.</summary>
    void StepStarted(TState state, PipelineStep step, ImageInfo image);

    /// <summary>Takes the time of one of the cache's steps, started at <paramref name="startedTimestamp"/> (of the cache's <see cref="TimeProvider"/>).</summary>
    void StepFinished(TState state, PipelineStep step, long startedTimestamp);

    /// <summary>The id of the caller's volume, for logs.</summary>
    string TargetId(TState state);
}
