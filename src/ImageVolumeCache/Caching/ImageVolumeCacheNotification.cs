namespace ImageVolumeCache;

/// <summary>
/// One cache notification, with Cinder's payload: the image id and host, and the cluster when set.
/// </summary>
/// <param name="EventType">One of <see cref="ImageVolumeCacheEventTypes"/>.</param>
/// <param name="ImageId">The image looked up or evicted.</param>
/// <param name="Host">The host of the scope.</param>
/// <param name="Cluster">The cluster of the scope, or <see langword="null"/>.</param>
public sealed record ImageVolumeCacheNotification(string EventType, string ImageId, string Host, string? Cluster);
