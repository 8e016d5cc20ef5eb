namespace ImageVolumeCache;

/// <summary>The volume the pipeline made, and how.</summary>
/// <param name="Volume">The volume, as made (at the requested size).</param>
/// <param name="Path">Which way it was made.</param>
/// <param name="Steps">The steps taken, in order, with their durations.</param>
public sealed record CreateVolumeFromImageResult(VolumeSpec Volume, CreateFromImagePath Path, IReadOnlyList<PipelineStepTiming> Steps)
{
    /// <summary>The cache entry the volume was cloned from, on <see cref="CreateFromImagePath.CacheHit"/> and <see cref="CreateFromImagePath.CacheMissCreated"/>; else <see langword="null"/>.</summary>
    public ImageCacheEntry? CacheEntry { get; init; }

    /// <summary>The time the whole pipeline took.</summary>
    public TimeSpan Elapsed { get; init; }
}
