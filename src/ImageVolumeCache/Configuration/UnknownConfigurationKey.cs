namespace ImageVolumeCache.Configuration;

/// <summary>A key of the cache's section that no option reads, with the keys that are read at its level.</summary>
/// <param name="Key">The full configuration key, as the configuration spells it.</param>
/// <param name="KnownKeys">The keys an option reads next to it, comma-separated.</param>
internal sealed record UnknownConfigurationKey(string Key, string KnownKeys);
