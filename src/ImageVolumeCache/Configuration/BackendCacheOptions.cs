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

    /// <summary>
    /// The cluster this backend serves with other hosts (Cinder's cluster name, for example <c>cluster1@lvm</c>), or
    /// <see langword="null"/> when it serves none. Entries of that cluster that other members made are evicted, retired
    /// and reconciled through this backend's driver, as any member of a Cinder cluster manages every volume of it.
    /// Default <see langword="null"/>.
    /// </summary>
    public string? Cluster { get; set; }
}
