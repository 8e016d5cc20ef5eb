using System.Collections.Concurrent;

namespace ImageVolumeCache.Testing;

/// <summary>An <see cref="IImageVolumeCacheNotifier"/> that keeps every notification, for assertions.</summary>
public sealed class RecordingNotifier : IImageVolumeCacheNotifier
{
    private readonly ConcurrentQueue<ImageVolumeCacheNotification> _notifications = new();

    /// <summary>Every notification so far, in order.</summary>
    public IReadOnlyList<ImageVolumeCacheNotification> Notifications => [.. _notifications];

    /// <summary>How many notifications of an event type were sent.</summary>
    /// <param name="eventType">One of <see cref="ImageVolumeCacheEventTypes"/>.</param>
    /// <returns>The count.</returns>
    public int CountOf(string eventType) => _notifications.Count(n => n.EventType == eventType);

    /// <summary>Forgets every notification so far.</summary>
    public void Clear() => _notifications.Clear();

    /// <inheritdoc/>
    public ValueTask NotifyAsync(ImageVolumeCacheNotification notification, CancellationToken cancellationToken)
    {
        _notifications.Enqueue(notification);
        return ValueTask.CompletedTask;
    }
}
