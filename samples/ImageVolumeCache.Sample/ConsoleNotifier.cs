namespace ImageVolumeCache.Sample;

/// <summary>Prints each cache notification as it is published, and counts them by event type for the summary.</summary>
internal sealed class ConsoleNotifier(TextWriter output) : IImageVolumeCacheNotifier
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int CountOf(string eventType)
    {
        lock (_lock)
        {
            return _counts.GetValueOrDefault(eventType);
        }
    }

    public ValueTask NotifyAsync(ImageVolumeCacheNotification notification, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _counts[notification.EventType] = _counts.GetValueOrDefault(notification.EventType) + 1;
        }

        string cluster = notification.Cluster is null ? string.Empty : $", cluster {notification.Cluster}";
        output.WriteLine($"    notification  {notification.EventType} (image {notification.ImageId}, host {notification.Host}{cluster})");
        return ValueTask.CompletedTask;
    }
}
