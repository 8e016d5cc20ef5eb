using ImageVolumeCache.Caching;

namespace ImageVolumeCache.Tests.Support;

/// <summary>
/// The cache's internal calls that tests make directly (a lookup, EnsureSpace, recording an entry), reached from the
/// host-facing <see cref="IImageVolumeCache"/> the harness resolves, which is the cache itself.
/// </summary>
internal static class CacheInternals
{
    public static bool IsEnabled(this IImageVolumeCache cache, string backend) => Of(cache).IsEnabled(backend);

    public static ValueTask<ImageCacheEntry?> GetEntryAsync(this IImageVolumeCache cache, CacheScope scope, ImageInfo image, CancellationToken cancellationToken) =>
        Of(cache).GetEntryAsync(scope, image, cancellationToken);

    public static ValueTask<bool> EnsureSpaceAsync(this IImageVolumeCache cache, CacheScope scope, int sizeGb, CancellationToken cancellationToken) =>
        Of(cache).EnsureSpaceAsync(scope, sizeGb, cancellationToken);

    public static ValueTask<ImageCacheEntry?> CreateEntryAsync(this IImageVolumeCache cache, CacheScope scope, ImageInfo image, string volumeId, int sizeGb, CancellationToken cancellationToken) =>
        Of(cache).CreateEntryAsync(scope, image, volumeId, sizeGb, cancellationToken);

    private static DefaultImageVolumeCache Of(IImageVolumeCache cache) => (DefaultImageVolumeCache)cache;
}
