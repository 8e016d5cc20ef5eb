namespace ImageVolumeCache;

/// <summary>A fill of the cache that failed.</summary>
/// <param name="ImageId">The image being cached.</param>
/// <param name="Error">What failed: the exception's type and message.</param>
/// <param name="At">When.</param>
public sealed record CacheFillError(string ImageId, string Error, DateTimeOffset At);
