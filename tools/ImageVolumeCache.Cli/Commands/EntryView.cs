namespace ImageVolumeCache.Cli.Commands;

/// <summary>An entry as <c>ivc entries --json</c> and <c>ivc evict --json</c> write it.</summary>
internal sealed record EntryView(
    long Id,
    string Scope,
    string Backend,
    string Host,
    string? Cluster,
    string ImageId,
    DateTimeOffset ImageUpdatedAt,
    string VolumeId,
    int SizeGb,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsed)
{
    public static EntryView Of(ImageCacheEntry entry) => new(
        entry.Id, entry.ScopeKey, entry.Scope.Backend, entry.Host, entry.Cluster, entry.ImageId, entry.ImageUpdatedAt, entry.VolumeId, entry.SizeGb, entry.CreatedAt, entry.LastUsed);
}
