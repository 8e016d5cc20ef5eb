namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>A notifier that drops every notification.</summary>
public sealed class NoOpNotifier : IImageVolumeCacheNotifier
{
    public static readonly NoOpNotifier Instance = new();

    public ValueTask NotifyAsync(ImageVolumeCacheNotification notification, CancellationToken cancellationToken) => default;
}
