namespace ImageVolumeCache;

/// <summary>
/// One scope of the cache (a host or pool, or a cluster, of a backend): what its entries hold, from the entry store, and
/// what this process did in it since it started. Counters are this process's own: the other hosts of a cluster count
/// theirs.
/// </summary>
/// <param name="Backend">The backend (<c>host@backend</c>) the scope belongs to.</param>
/// <param name="ScopeKey">The scope (<see cref="CacheScope.Key"/>).</param>
public sealed record CacheScopeStatistics(string Backend, string ScopeKey)
{
    /// <summary>The entries the store holds for the scope.</summary>
    public int Entries { get; init; }

    /// <summary>The sum of the entries' cache volume sizes, in GB.</summary>
    public long SizeGb { get; init; }

    /// <summary>The scope's count limit; 0 for none.</summary>
    public int MaxCount { get; init; }

    /// <summary>The scope's size limit in GB; 0 for none.</summary>
    public int MaxSizeGb { get; init; }

    /// <summary>Whether the cache is on for the scope's backend.</summary>
    public bool Enabled { get; init; }

    /// <summary>Lookups that found the image cached, since this process started.</summary>
    public long Hits { get; init; }

    /// <summary>Lookups that did not, since this process started.</summary>
    public long Misses { get; init; }

    /// <summary>Hits over lookups, from 0 to 1; <see langword="null"/> before the first lookup.</summary>
    public double? HitRatio => Hits + Misses == 0 ? null : (double)Hits / (Hits + Misses);

    /// <summary>
    /// Entries removed since this process started, by reason (the <c>reason</c> tag of the evictions metric: <c>space</c>,
    /// <c>stale</c>, <c>manual</c>, <c>purge</c>, <c>trim</c>…). Reasons that did not happen are absent.
    /// </summary>
    public IReadOnlyDictionary<string, long> Evictions { get; init; } = new Dictionary<string, long>();

    /// <summary>The fills of this scope in progress in this process.</summary>
    public int FillsInProgress { get; init; }

    /// <summary>The last fill of this scope that failed in this process, or <see langword="null"/> when none did.</summary>
    public CacheFillError? LastFillError { get; init; }

    /// <summary>
    /// The backend's warm images (<c>WarmImages</c>) that could not be brought up to date at the last warm (the image
    /// service failed, no room, or the fill failed), so that the scope may miss them; empty when all are current. Default empty.
    /// </summary>
    public IReadOnlyList<string> OutdatedWarmImages { get; init; } = [];

    /// <summary>Whether the scope holds more than its limits allow (after a limit was lowered, until it is trimmed).</summary>
    public bool OverLimits => (MaxCount > 0 && Entries > MaxCount) || (MaxSizeGb > 0 && SizeGb > MaxSizeGb);
}
