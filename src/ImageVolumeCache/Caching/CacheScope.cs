namespace ImageVolumeCache;

/// <summary>
/// The partition a cache entry belongs to: the cluster when one is set, otherwise the host (which may name a pool).
/// Two scopes are the same when their <see cref="Key"/> strings are equal (ordinal).
/// </summary>
/// <param name="Host">The host string, <c>host@backend</c> or <c>host@backend#pool</c>.</param>
/// <param name="Cluster">The cluster name, or <see langword="null"/>.</param>
public readonly record struct CacheScope(string Host, string? Cluster)
{
    /// <summary>The key entries are partitioned by: <see cref="Cluster"/> when set, else <see cref="Host"/>.</summary>
    public string Key => string.IsNullOrEmpty(Cluster) ? Host : Cluster;

    /// <summary>The backend name whose limits apply to this scope (<see cref="Host"/> without its pool).</summary>
    public string Backend => BackendNames.FromHost(Host);

    /// <inheritdoc/>
    public override string ToString() => Key;
}
