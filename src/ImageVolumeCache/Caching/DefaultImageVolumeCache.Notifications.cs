using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>Publishing notifications: exactly one per event, and a failing notifier never fails an operation.</summary>
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
}
