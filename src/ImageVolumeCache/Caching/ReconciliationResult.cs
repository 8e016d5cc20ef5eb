namespace ImageVolumeCache;

/// <summary>What <see cref="IImageVolumeCache.ReconcileAsync"/> changed on one backend.</summary>
/// <param name="Backend">The backend reconciled.</param>
/// <param name="EntriesRemoved">Entries whose cache volume no longer exists on the backend, removed with one <c>evict</c> each.</param>
/// <param name="VolumesAdopted">Complete cache volumes of an unchanged image that had no entry and were recorded as entries.</param>
/// <param name="VolumesDeleted">Cache volumes without an entry that were deleted (cut short, of a changed image, or a duplicate).</param>
/// <param name="VolumesSkipped">Cache volumes without an entry left alone because this process is still filling them.</param>
/// <param name="Failures">Actions that failed (logged with the volume id) and are retried by the next reconciliation.</param>
public sealed record ReconciliationResult(string Backend, int EntriesRemoved, int VolumesAdopted, int VolumesDeleted, int VolumesSkipped, int Failures)
{
    /// <summary>
    /// Entries whose volume exists but is not their cache volume (another owner, no cache mark, another image or version),
    /// for example after the store was edited by hand: removed with one <c>evict</c> each, their volumes left untouched.
    /// Default 0.
    /// </summary>
    public int EntriesUntrusted { get; init; }

    /// <summary>
    /// Entries the store quarantined since the previous reconciliation because their stored values were out of range
    /// (counted across every backend of the store); their cache volumes are adopted again or deleted like any volume left
    /// without an entry. Default 0.
    /// </summary>
    public int EntriesQuarantined { get; init; }
}
