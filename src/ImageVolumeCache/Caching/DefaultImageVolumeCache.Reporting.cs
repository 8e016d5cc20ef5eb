using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// What the cache tells the outside: notifications (exactly one per event; a failing notifier never fails an
/// operation), and the per-scope totals behind the entries and size gauges, read from the store after this process adds
/// or removes an entry and for every scope a reconciliation sees (never on the hit path, never failing the caller).
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    private async ValueTask NotifyAsync(string eventType, string imageId, CacheScope scope, CancellationToken cancellationToken)
    {
        try
        {
            var notification = new ImageVolumeCacheNotification(eventType, imageId, scope.Host, string.IsNullOrEmpty(scope.Cluster) ? null : scope.Cluster);
            await _notifier.NotifyAsync(notification, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.NotifierFailed(_logger, ex, eventType, imageId);
        }
    }

    /// <summary>
    /// Reads a scope's totals from the store for the gauges. A store failure is logged and the gauges keep their old
    /// figures; only a cancellation of <paramref name="cancellationToken"/> is thrown.
    /// </summary>
    private async ValueTask RefreshTotalsAsync(CacheScope scope, CancellationToken cancellationToken)
    {
        long read = _metrics.BeginTotalsRead();
        try
        {
            CacheScopeTotals totals = await _store.GetTotalsAsync(scope.Key, cancellationToken).ConfigureAwait(false);
            _metrics.TotalsRead(scope, totals, read);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ScopeTotalsRefreshFailed(_logger, ex, scope.Key);
        }
    }
}
