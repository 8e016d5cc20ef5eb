namespace ImageVolumeCache;

/// <summary>The cache settings every backend starts from.</summary>
public sealed class CacheDefaultsOptions
{
    /// <summary>Whether the cache is on. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most GB of cache volumes per scope; 0 = unlimited. Default 0.</summary>
    public int MaxSizeGb { get; set; }

    /// <summary>The most cache entries per scope; 0 = unlimited. Default 0.</summary>
    public int MaxCount { get; set; }
}
