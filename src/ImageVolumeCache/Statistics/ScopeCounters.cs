using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Statistics;

/// <summary>One scope's counters in this process: hits, misses, evictions by reason, the last fill error. Thread-safe, allocation-free to count.</summary>
internal sealed class ScopeCounters(string backend)
{
    private readonly long[] _evictions = new long[Enum.GetValues<EvictionReason>().Length];
    private long _hits;
    private long _misses;
    private CacheFillError? _lastFillError;

    public string Backend { get; } = backend;

    public long Hits => Volatile.Read(ref _hits);

    public long Misses => Volatile.Read(ref _misses);

    public CacheFillError? LastFillError => Volatile.Read(ref _lastFillError);

    public void Hit() => Interlocked.Increment(ref _hits);

    public void Miss() => Interlocked.Increment(ref _misses);

    public void Evicted(EvictionReason reason) => Interlocked.Increment(ref _evictions[(int)reason]);

    public void FillFailed(CacheFillError error) => Volatile.Write(ref _lastFillError, error);

    /// <summary>The evictions by reason tag, reasons that did not happen left out.</summary>
    public Dictionary<string, long> Evictions()
    {
        var byReason = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (EvictionReason reason in Enum.GetValues<EvictionReason>())
        {
            long count = Volatile.Read(ref _evictions[(int)reason]);
            if (count > 0)
            {
                byReason[ImageVolumeCacheMetrics.ReasonTag(reason)] = count;
            }
        }

        return byReason;
    }
}
