namespace ImageVolumeCache.Caching;

/// <summary>What one trim evicted, by reason.</summary>
internal readonly record struct TrimResult(int Purged, int OverLimits, int Idle, int ImageDeleted, int Stale)
{
    public int Evicted => Purged + OverLimits + Idle + ImageDeleted + Stale;
}
