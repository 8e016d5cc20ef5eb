namespace ImageVolumeCache;

/// <summary>What one trim evicted, by reason.</summary>
/// <param name="Purged">Entries of backends whose cache is off and that purge when disabled (<c>PurgeWhenDisabled</c>).</param>
/// <param name="OverLimits">Least recently used entries evicted to bring scopes within their limits.</param>
/// <param name="Idle">Entries unused for longer than their backend's <c>MaxIdle</c>.</param>
/// <param name="ImageDeleted">Entries whose image the image service no longer has.</param>
/// <param name="Stale">Entries of an older version of their image (its <c>updated_at</c> moved on).</param>
public readonly record struct TrimResult(int Purged, int OverLimits, int Idle, int ImageDeleted, int Stale)
{
    /// <summary>Every entry the trim evicted.</summary>
    public int Evicted => Purged + OverLimits + Idle + ImageDeleted + Stale;
}
