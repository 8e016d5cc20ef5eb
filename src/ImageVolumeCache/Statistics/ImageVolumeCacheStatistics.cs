namespace ImageVolumeCache;

/// <summary>What the cache holds and has done, per scope, as <see cref="IImageVolumeCache.GetStatisticsAsync"/> saw it.</summary>
/// <param name="CollectedAt">When the figures were collected.</param>
/// <param name="Scopes">One item per scope that holds entries or was used since this process started, ordered by backend, then scope.</param>
public sealed record ImageVolumeCacheStatistics(DateTimeOffset CollectedAt, IReadOnlyList<CacheScopeStatistics> Scopes);
