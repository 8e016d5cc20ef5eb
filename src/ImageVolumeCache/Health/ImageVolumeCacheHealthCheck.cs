using System.Globalization;
using ImageVolumeCache.Backends;
using ImageVolumeCache.Caching;
using ImageVolumeCache.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ImageVolumeCache.Health;

/// <summary>
/// The cache's health check: unhealthy when the entry store cannot be read; degraded when the cache is off for lack of
/// an internal tenant, a backend cannot list its volumes, a scope is over its limits or a probe says so; healthy
/// otherwise. The data holds every scope's statistics, keyed by scope.
/// </summary>
internal sealed class ImageVolumeCacheHealthCheck(
    IImageVolumeCache cache,
    VolumeBackendRegistry backends,
    InternalTenantGate tenant,
    ImageVolumeCacheConfigurationPath path,
    IEnumerable<ICacheHealthProbe> probes,
    TimeProvider time) : IHealthCheck
{
    /// <summary>How long the store and each backend have to answer; the registration's own timeout bounds the whole check.</summary>
    internal static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Listings may be slow on a large backend: they run beside the store's read, each within its own timeout.
        IReadOnlyList<string> names = backends.Names;
        var listings = new Task<string?>[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            listings[i] = ListBackendAsync(names[i], cancellationToken);
        }

        ImageVolumeCacheStatistics statistics;
        try
        {
            statistics = await WithTimeoutAsync(cache.GetStatisticsAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(listings).ConfigureAwait(false);
            string why = ex is TimeoutException
                ? $"The entry store did not answer within {Seconds(ProbeTimeout)}."
                : $"The entry store cannot be read: {ex.GetType().Name}: {ex.Message}";
            return new HealthCheckResult(context.Registration.FailureStatus, why, ex is TimeoutException ? null : ex);
        }

        var reasons = new List<string>();
        if (!tenant.IsConfigured())
        {
            reasons.Add($"The cache is off: no internal tenant is configured ({path.Key("InternalTenant:ProjectId")}, {path.Key("InternalTenant:UserId")}).");
        }

        foreach (Task<string?> listing in listings)
        {
            if (await listing.ConfigureAwait(false) is { } failed)
            {
                reasons.Add(failed);
            }
        }

        foreach (CacheScopeStatistics scope in statistics.Scopes.Where(s => s.OverLimits))
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"Scope {scope.ScopeKey} is over its limits: {scope.Entries} entries of {Limit(scope.MaxCount)}, {scope.SizeGb} GB of {Limit(scope.MaxSizeGb)}."));
        }

        foreach (CacheScopeStatistics scope in statistics.Scopes.Where(s => s.OutdatedWarmImages.Count > 0))
        {
            reasons.Add($"Warm images of scope {scope.ScopeKey} could not be brought up to date: {string.Join(", ", scope.OutdatedWarmImages)}.");
        }

        foreach (ICacheHealthProbe probe in probes)
        {
            if (await probe.ProbeAsync(statistics, cancellationToken).ConfigureAwait(false) is { } found)
            {
                reasons.Add(found);
            }
        }

        Dictionary<string, object> data = statistics.Scopes.ToDictionary(s => s.ScopeKey, object (s) => s, StringComparer.Ordinal);
        if (reasons.Count > 0)
        {
            return HealthCheckResult.Degraded(string.Join(" ", reasons), data: data);
        }

        return HealthCheckResult.Healthy(
            string.Create(CultureInfo.InvariantCulture, $"Scopes: {statistics.Scopes.Count}, entries: {statistics.Scopes.Sum(s => s.Entries)}."),
            data);
    }

    /// <summary>Lists a backend's volumes; returns why it failed, or <see langword="null"/>.</summary>
    private async Task<string?> ListBackendAsync(string backend, CancellationToken cancellationToken)
    {
        try
        {
            IVolumeDriver driver = backends.GetDriver(backend);
            await WithTimeoutAsync(driver.ListVolumesAsync, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (TimeoutException)
        {
            return $"Backend {backend} did not list its volumes within {Seconds(ProbeTimeout)}.";
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return $"Backend {backend} cannot list its volumes: {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>
    /// Runs a call for at most <see cref="ProbeTimeout"/> (timed by the host's clock), then cancels it and throws
    /// <see cref="TimeoutException"/>, also when the call does not watch its token.
    /// </summary>
    private async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            return await call(abandon.Token).AsTask().WaitAsync(ProbeTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await abandon.CancelAsync().ConfigureAwait(false);
        }
    }

    private static string Limit(long limit) => limit > 0 ? limit.ToString(CultureInfo.InvariantCulture) : "no limit";

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");
}
