namespace ImageVolumeCache.Health;

/// <summary>
/// One more thing the health check asks about, beside the store, the tenant, the backends and the limits: pre-warming
/// registers one that reports warm images gone out of date. Every registered probe runs at each check.
/// </summary>
internal interface ICacheHealthProbe
{
    /// <summary>Returns why the cache is degraded, or <see langword="null"/> when this probe finds nothing wrong.</summary>
    /// <param name="statistics">The statistics the check has just read.</param>
    /// <param name="cancellationToken">Cancels the probe (the check's own timeout).</param>
    ValueTask<string?> ProbeAsync(ImageVolumeCacheStatistics statistics, CancellationToken cancellationToken);
}
