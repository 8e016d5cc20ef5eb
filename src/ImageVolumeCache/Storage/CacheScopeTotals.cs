namespace ImageVolumeCache;

/// <summary>How many entries a scope holds and their total size.</summary>
/// <param name="Count">The number of entries.</param>
/// <param name="SizeGb">The sum of the entries' sizes in GB.</param>
public readonly record struct CacheScopeTotals(int Count, long SizeGb);
