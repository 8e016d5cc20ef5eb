namespace ImageVolumeCache.PostgreSql.Tests.Support;

/// <summary>Entries of one host scope, as the store tests add them.</summary>
internal static class StoreEntries
{
    public const string Scope = "host1@lvm";

    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An entry not stored yet, made and last used at <see cref="T0"/>.</summary>
    public static ImageCacheEntry Entry(string imageId, string volumeId, int sizeGb = 1) =>
        new(0, Scope, Scope, null, imageId, T0, volumeId, sizeGb, T0, T0);
}
