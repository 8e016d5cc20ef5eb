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

    /// <summary>
    /// How long an entry may go unused before the trimmer evicts it (reason <c>idle</c>; never while a clone uses it);
    /// <see cref="TimeSpan.Zero"/> keeps entries however long they are unused. Default zero.
    /// </summary>
    public TimeSpan MaxIdle { get; set; }

    /// <summary>
    /// Whether turning a backend's cache off (<c>Enabled</c> false, through reloadable configuration) also evicts its
    /// entries at once; otherwise they stay, unused, until the cache is turned on again. Default <see langword="false"/>.
    /// </summary>
    public bool PurgeWhenDisabled { get; set; }
}
