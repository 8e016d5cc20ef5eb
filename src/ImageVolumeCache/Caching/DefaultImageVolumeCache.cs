using ImageVolumeCache.Configuration;
using ImageVolumeCache.DependencyInjection;
using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// The image-volume cache: entries in an <see cref="ICacheEntryStore"/>, cache volumes on each backend's driver.
/// Split by concern: lookups and entry creation here, space and eviction in <c>.Eviction.cs</c>, notifications in
/// <c>.Notifications.cs</c>, reconciliation
/// with the backends in <c>.Reconciliation.cs</c>, the totals behind the gauges in <c>.Totals.cs</c>.
/// </summary>
internal sealed partial class DefaultImageVolumeCache : IImageVolumeCache
{
    private readonly ICacheEntryStore _store;
    private readonly VolumeBackendRegistry _backends;
    private readonly IOptionsMonitor<ImageVolumeCacheOptions> _options;
    private readonly InternalTenantGate _tenant;
    private readonly IImageVolumeCacheNotifier _notifier;
    private readonly ImageVolumeCacheMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IImageService? _images;
    private readonly EntryPinTable _pins = new();

    public DefaultImageVolumeCache(
        ICacheEntryStore store,
        VolumeBackendRegistry backends,
        IOptionsMonitor<ImageVolumeCacheOptions> options,
        InternalTenantGate tenant,
        IImageVolumeCacheNotifier notifier,
        ImageVolumeCacheMetrics metrics,
        TimeProvider time,
        ILogger<DefaultImageVolumeCache> logger,
        IImageService? images = null)
    {
        _store = store;
        _backends = backends;
        _options = options;
        _tenant = tenant;
        _notifier = notifier;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _images = images;
    }

    public bool IsEnabled(string backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return _tenant.IsConfigured() && CacheLimits.For(_options.CurrentValue, backend).Enabled;
    }

    public async ValueTask<ImageCacheEntry?> GetEntryAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        CacheEntryLease? lease = await AcquireAsync(scope, image, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return null;
        }

        await lease.DisposeAsync().ConfigureAwait(false);
        return lease.Entry;
    }

    /// <summary>
    /// Looks up and pins the current entry for an image, evicting a stale one; sends exactly one hit or miss.
    /// The caller clones from the pinned entry and then disposes the lease.
    /// </summary>
    internal async ValueTask<CacheEntryLease?> AcquireAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        CacheEntryLease? lease = await TryAcquireAsync(scope, image, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            await RecordMissAsync(scope, image, cancellationToken).ConfigureAwait(false);
        }

        return lease;
    }

    /// <summary>
    /// Looks up and pins the current entry for an image, retiring a stale one; sends one hit when it finds one, and
    /// nothing otherwise (the caller decides whether its miss is a miss or a wait for another request's fill).
    /// </summary>
    internal async ValueTask<CacheEntryLease?> TryAcquireAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        RemovalWatch watch = _pins.WatchRemovals();
        ImageCacheEntry? entry = await _store.GetAndTouchAsync(scope.Key, image.Id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (entry is not null && !entry.IsCurrentFor(image))
        {
            await RetireStaleAsync(entry, image).ConfigureAwait(false);
            entry = null;
        }

        CacheEntryLease? lease = entry is null ? null : await TryPinAsync(entry, watch).ConfigureAwait(false);
        if (lease is not null)
        {
            Log.CacheHit(_logger, image.Id, scope.Key, lease.Entry.Id, lease.Entry.VolumeId);
            _metrics.Hit(scope);
            await NotifyAsync(ImageVolumeCacheEventTypes.Hit, image.Id, scope, cancellationToken).ConfigureAwait(false);
        }

        return lease;
    }

    /// <summary>Counts, logs and notifies a miss without a lookup (a retry after an entry proved unusable).</summary>
    internal async ValueTask RecordMissAsync(CacheScope scope, ImageInfo image, CancellationToken cancellationToken)
    {
        Log.CacheMiss(_logger, image.Id, scope.Key);
        _metrics.Miss(scope);
        await NotifyAsync(ImageVolumeCacheEventTypes.Miss, image.Id, scope, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ImageCacheEntry?> CreateEntryAsync(CacheScope scope, ImageInfo image, string volumeId, int sizeGb, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeGb);
        DateTimeOffset now = _time.GetUtcNow();
        var entry = new ImageCacheEntry(0, scope.Key, scope.Host, scope.Cluster, image.Id, image.UpdatedAt, volumeId, sizeGb, now, now);
        ImageCacheEntry? stored = await _store.TryAddAsync(entry, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            Log.CacheEntryCreated(_logger, stored.Id, image.Id, scope.Key, volumeId, sizeGb);
            await RefreshTotalsAsync(scope, CancellationToken.None).ConfigureAwait(false);
        }

        return stored;
    }

    public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        return _store.FindByVolumeIdAsync(volumeId, cancellationToken);
    }

    public async ValueTask<bool> OnVolumeDeletedAsync(string volumeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        ImageCacheEntry? entry = await _store.FindByVolumeIdAsync(volumeId, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return false;
        }

        _pins.BeginRemoval();
        try
        {
            return await RemoveEntryAsync(entry, EvictionReason.VolumeDeleted).ConfigureAwait(false);
        }
        finally
        {
            _pins.EndRemoval();
        }
    }

    public ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken) =>
        _store.ListAsync(scopeKey, cancellationToken);
}
