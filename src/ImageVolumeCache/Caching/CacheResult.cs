namespace ImageVolumeCache.Caching;

/// <summary>What <see cref="DefaultImageVolumeCache.AcquireOrFillAsync{TState}"/> did for a request.</summary>
/// <param name="Outcome">Whether the request's volume was cloned from the cache, and if not, why.</param>
/// <param name="Entry">The entry cloned from, for <see cref="CacheOutcome.Hit"/> and <see cref="CacheOutcome.Filled"/>.</param>
internal readonly record struct CacheResult(CacheOutcome Outcome, ImageCacheEntry? Entry = null);
