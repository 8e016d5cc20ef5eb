using ImageVolumeCache.Backends;
using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// The image-volume cache: entries in an <see cref="ICacheEntryStore"/>, cache volumes on each backend's driver. This
/// file holds its construction and the host's calls of <see cref="IImageVolumeCache"/>; the rest is split by concern:
/// the fill protocol behind one call in <c>.AcquireOrFill.cs</c>, lookups and new entries in <c>.Entries.cs</c>, room in
/// <c>.Space.cs</c>, eviction in <c>.Eviction.cs</c>, pins and retired entries in <c>.Pinning.cs</c>, the checks of
/// entries against their volumes in <c>.Trust.cs</c>, reconciliation in <c>.Reconciliation.cs</c>, notifications and
/// the gauges' totals in <c>.Reporting.cs</c>, a host joining a cluster in <c>.Clusters.cs</c>, lookups across the pools of
/// a backend in <c>.Pools.cs</c>. <c>readme.md</c> beside it explains how they keep each other correct.
/// </summary>
internal sealed partial class DefaultImageVolumeCache : IImageVolumeCache, IDisposable, IAsyncDisposable
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
        IImageService? images = null,
        Lazy<ICacheWarmer>? warmer = null)
    {
        _warmer = warmer;
        _store = store;
        _backends = backends;
        _options = options;
        _tenant = tenant;
        _notifier = notifier;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _images = images;
        _coordination = store as ICacheCoordination ?? new Storage.InProcessCacheCoordination();
    }

    /// <summary>
    /// The driver that manages the volumes of a scope: its own backend's when this process registered it; for a scope of a
    /// cluster made by another member, the local backend configured to serve that cluster (<c>Backends:&lt;name&gt;:Cluster</c>),
    /// as any member of a Cinder cluster manages every volume of it.
    /// </summary>
    /// <exception cref="ArgumentException">No registered backend serves the scope.</exception>
    private IVolumeDriver DriverFor(CacheScope scope) =>
        _backends.GetDriver(_backends.IsRegistered(scope.Backend) ? scope.Backend : ClusterMember(scope.Cluster) ?? scope.Backend);

    /// <summary>Whether entries of <paramref name="scope"/> are managed by <paramref name="backend"/> in this process.</summary>
    private bool Manages(string backend, CacheScope scope) =>
        string.Equals(scope.Backend, backend, StringComparison.Ordinal)
        || (!_backends.IsRegistered(scope.Backend) && string.Equals(ClusterMember(scope.Cluster), backend, StringComparison.Ordinal));

    /// <summary>The registered backend configured to serve the cluster (pool suffix ignored); none when none or several are.</summary>
    private string? ClusterMember(string? cluster)
    {
        if (string.IsNullOrEmpty(cluster))
        {
            return null;
        }

        string name = BackendNames.FromHost(cluster);
        string? found = null;
        foreach ((string backend, BackendCacheOptions options) in _options.CurrentValue.Backends)
        {
            if (string.Equals(options.Cluster, name, StringComparison.Ordinal) && _backends.IsRegistered(backend))
            {
                if (found is not null)
                {
                    return null; // two local backends claim the cluster: which one serves it is not known
                }

                found = backend;
            }
        }

        return found;
    }

    /// <summary>Whether requests on the backend use the cache: the internal tenant is configured and the backend's cache is on.</summary>
    internal bool IsEnabled(string backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return _tenant.IsConfigured() && CacheLimits.For(_options.CurrentValue, backend).Enabled;
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
