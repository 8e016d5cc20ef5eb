namespace ImageVolumeCache.Configuration;

/// <summary>The settings in force for one backend after its own values are laid over the defaults.</summary>
internal readonly record struct CacheLimits(bool Enabled, int MaxSizeGb, int MaxCount, TimeSpan MaxIdle = default, bool PurgeWhenDisabled = false)
{
    public bool Unlimited => MaxSizeGb == 0 && MaxCount == 0;

    public bool Fits(CacheScopeTotals totals, int newEntrySizeGb) =>
        (MaxCount == 0 || totals.Count + 1 <= MaxCount) &&
        (MaxSizeGb == 0 || totals.SizeGb + newEntrySizeGb <= MaxSizeGb);

    public bool Holds(CacheScopeTotals totals) =>
        (MaxCount == 0 || totals.Count <= MaxCount) &&
        (MaxSizeGb == 0 || totals.SizeGb <= MaxSizeGb);

    public static CacheLimits For(ImageVolumeCacheOptions options, string backend)
    {
        CacheDefaultsOptions defaults = options.Defaults;
        if (!options.Backends.TryGetValue(backend, out BackendCacheOptions? own))
        {
            return new CacheLimits(defaults.Enabled, defaults.MaxSizeGb, defaults.MaxCount, defaults.MaxIdle, defaults.PurgeWhenDisabled);
        }

        return new CacheLimits(
            own.Enabled ?? defaults.Enabled,
            own.MaxSizeGb ?? defaults.MaxSizeGb,
            own.MaxCount ?? defaults.MaxCount,
            own.MaxIdle ?? defaults.MaxIdle,
            own.PurgeWhenDisabled ?? defaults.PurgeWhenDisabled);
    }
}
