using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Diagnostics;

/// <summary>The default notifier: writes each notification to the log, for hosts without a notification bus.</summary>
internal sealed class LoggingNotifier(ILogger<LoggingNotifier> logger) : IImageVolumeCacheNotifier
{
    public ValueTask NotifyAsync(ImageVolumeCacheNotification notification, CancellationToken cancellationToken)
    {
        Log.Notification(logger, notification.EventType, notification.ImageId, notification.Host, notification.Cluster);
        return ValueTask.CompletedTask;
    }
}
