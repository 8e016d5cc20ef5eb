namespace ImageVolumeCache;

/// <summary>
/// Publishes the cache's notifications (<c>image_volume_cache.hit</c>, <c>.miss</c>, <c>.evict</c>) to the host's
/// notification bus. The default implementation logs them. An exception thrown here is logged and never fails an operation.
/// </summary>
public interface IImageVolumeCacheNotifier
{
    /// <summary>Publishes one notification.</summary>
    /// <param name="notification">The notification.</param>
    /// <param name="cancellationToken">Cancels publishing.</param>
    ValueTask NotifyAsync(ImageVolumeCacheNotification notification, CancellationToken cancellationToken);
}
