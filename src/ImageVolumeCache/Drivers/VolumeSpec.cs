namespace ImageVolumeCache;

/// <summary>
/// A volume as the library asks a driver to make it: identity, placement, size and ownership.
/// </summary>
/// <param name="Id">The volume id. For the user's volume it comes from the host; for a cache volume the library makes one.</param>
/// <param name="Host">
/// The host string of the volume's backend, <c>host@backend</c>, optionally with a pool (<c>host@backend#pool</c>).
/// The part before <c>#</c> names the backend (and its driver); the whole string is the cache scope when no cluster is set.
/// </param>
/// <param name="SizeGb">The size in whole GB (GiB).</param>
public sealed record VolumeSpec(string Id, string Host, int SizeGb)
{
    /// <summary>The cluster serving the backend, when it is served active-active; then the cache is scoped to it. Default <see langword="null"/>.</summary>
    public string? Cluster { get; init; }

    /// <summary>The project (tenant) that owns the volume. Default empty.</summary>
    public string ProjectId { get; init; } = string.Empty;

    /// <summary>The user that owns the volume. Default empty.</summary>
    public string UserId { get; init; } = string.Empty;

    /// <summary>Whether the volume is encrypted; encrypted volumes never use a direct clone or the cache. Default <see langword="false"/>.</summary>
    public bool Encrypted { get; init; }

    /// <summary>
    /// Metadata the driver keeps with the volume. Cache volumes carry the keys of <see cref="CacheVolumeMetadata"/>.
    /// Default empty.
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>The backend name: <see cref="Host"/> without its <c>#pool</c> suffix.</summary>
    public string Backend => BackendNames.FromHost(Host);

    /// <summary>The cache scope of the volume: its cluster when set, else its host.</summary>
    public CacheScope Scope => new(Host, Cluster);

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>(0);
}
