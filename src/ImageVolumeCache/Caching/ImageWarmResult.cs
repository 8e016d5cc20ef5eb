namespace ImageVolumeCache;

/// <summary>The result of warming one image with <see cref="IImageVolumeCache.WarmAsync"/>.</summary>
/// <param name="ImageId">The image.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Error">The failure, when <paramref name="Outcome"/> is <see cref="ImageWarmOutcome.Failed"/>; otherwise <see langword="null"/>.</param>
public sealed record ImageWarmResult(string ImageId, ImageWarmOutcome Outcome, Exception? Error = null);
