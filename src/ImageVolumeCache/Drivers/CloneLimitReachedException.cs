namespace ImageVolumeCache;

/// <summary>
/// A driver cannot clone a volume again because the source has as many clones or snapshots as the backend allows.
/// On a cache hit the pipeline evicts the entry and makes a fresh one.
/// </summary>
public sealed class CloneLimitReachedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourceVolumeId">The source volume that reached its limit.</param>
    public CloneLimitReachedException(string sourceVolumeId)
        : base($"Volume '{sourceVolumeId}' has reached its clone limit.")
    {
        SourceVolumeId = sourceVolumeId;
    }

    /// <summary>The source volume that reached its limit.</summary>
    public string SourceVolumeId { get; }
}
