namespace ImageVolumeCache.Sample;

/// <summary>
/// Prints each cache notification as it is published, and counts them by event type for the summary. Those published
/// while the host starts (the evictions of its reconciliation) are held until <see cref="Release"/>, so that the
/// sample's first line is still the one that says whether the cache starts empty or warm.
/// </summary>
internal sealed class ConsoleNotifier(TextWriter output) : IImageVolumeCacheNotifier
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private List<string>? _held = [];

    /// <summary>Prints the notifications held so far, and each one from now on as it is published.</summary>
    public void Release()
    {
        lock (_lock)
        {
            foreach (string line in _held ?? [])
            {
                output.WriteLine(line);
            }

            _held = null;
        }
    }

    public int CountOf(string eventType)
    {
        lock (_lock)
        {
            return _counts.GetValueOrDefault(eventType);
        }
    }

    public ValueTask NotifyAsync(ImageVolumeCacheNotification notification, CancellationToken cancellationToken)
    {
        string cluster = notification.Cluster is null ? string.Empty : $", cluster {notification.Cluster}";
        string line = $"    notification  {notification.EventType} (image {notification.ImageId}, host {notification.Host}{cluster})";
        lock (_lock)
        {
            _counts[notification.EventType] = _counts.GetValueOrDefault(notification.EventType) + 1;
            if (_held is null)
            {
                output.WriteLine(line);
            }
            else
            {
                _held.Add(line);
            }
        }

        return ValueTask.CompletedTask;
    }
}
