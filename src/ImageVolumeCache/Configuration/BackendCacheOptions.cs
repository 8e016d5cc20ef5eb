namespace ImageVolumeCache;

/// <summary>One backend's own cache settings; an unset value falls back to <see cref="ImageVolumeCacheOptions.Defaults"/>.</summary>
public sealed class BackendCacheOptions
{
    /// <summary>Whether the cache is on for this backend. Default <see langword="null"/> (use the default).</summary>
    public bool? Enabled { get; set; }

    /// <summary>The most GB of cache volumes per scope of this backend; 0 = unlimited. Default <see langword="null"/> (use the default).</summary>
    public int? MaxSizeGb { get; set; }

    /// <summary>The most cache entries per scope of this backend; 0 = unlimited. Default <see langword="null"/> (use the default).</summary>
    public int? MaxCount { get; set; }

    /// <summary>This backend's own <see cref="CacheDefaultsOptions.MaxIdle"/>. Default <see langword="null"/> (use the default).</summary>
    public TimeSpan? MaxIdle { get; set; }

    /// <summary>This backend's own <see cref="CacheDefaultsOptions.PurgeWhenDisabled"/>. Default <see langword="null"/> (use the default).</summary>
    public bool? PurgeWhenDisabled { get; set; }

    /// <summary>
    /// The cluster this backend serves with other hosts (Cinder's cluster name, for example <c>cluster1@lvm</c>), or
    /// <see langword="null"/> when it serves none. Entries of that cluster that other members made are evicted, retired
    /// and reconciled through this backend's driver, as any member of a Cinder cluster manages every volume of it.
    /// Default <see langword="null"/>.
    /// </summary>
    public string? Cluster { get; set; }

    /// <summary>
    /// Whether the host moves this backend's host-scoped entries (of every pool) into <see cref="Cluster"/> when it starts,
    /// before reconciliation, as <see cref="IImageVolumeCache.IncludeInClusterAsync"/> does (Cinder's
    /// <c>include_in_cluster</c> of a host joining a cluster). Needs <see cref="Cluster"/>. Default <see langword="false"/>.
    /// </summary>
    public bool IncludeInClusterOnStart { get; set; }

    /// <summary>
    /// Whether a lookup that finds no entry in the request's own pool may clone an entry of another pool of this backend
    /// (same host or cluster, another <c>#pool</c>; never another backend), when the driver implements
    /// <see cref="IPoolCloning"/> and says it can clone between the two pools (Cinder's <c>clone_across_pools</c>).
    /// Default <see langword="false"/>.
    /// </summary>
    public bool CloneAcrossPools { get; set; }

    /// <summary>
    /// Images kept warm in this backend's scope (its cluster's when it serves one): the host fills them at start-up, polls
    /// the image service every <see cref="ImageVolumeCacheOptions.WarmPollInterval"/> and rolls an updated image over to
    /// its new version, and idle expiry never evicts their entries. Ids must not be blank. Default empty.
    /// </summary>
    public IList<string> WarmImages { get; } = new List<string>();
}
