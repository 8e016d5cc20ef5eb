using System.Collections.Concurrent;
using ImageVolumeCache.Configuration;
using ImageVolumeCache.Statistics;

namespace ImageVolumeCache.Caching;

/// <summary>The cache's statistics: the store's entries and totals per scope, and this process's counters.</summary>
internal sealed partial class DefaultImageVolumeCache
{
    private readonly ConcurrentDictionary<string, ScopeCounters> _counters = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async ValueTask<ImageVolumeCacheStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ImageCacheEntry> entries = await _store.ListAsync(null, cancellationToken).ConfigureAwait(false);
        var scopes = new Dictionary<string, (string Backend, int Count, long SizeGb)>(StringComparer.Ordinal);
        foreach (ImageCacheEntry entry in entries)
        {
            (string Backend, int Count, long SizeGb) held = scopes.GetValueOrDefault(entry.ScopeKey, (entry.Scope.Backend, 0, 0));
            scopes[entry.ScopeKey] = (held.Backend, held.Count + 1, held.SizeGb + entry.SizeGb);
        }

        foreach ((string scopeKey, ScopeCounters counters) in _counters)
        {
            scopes.TryAdd(scopeKey, (counters.Backend, 0, 0));
        }

        foreach (string backend in _outdatedWarmImages.Keys)
        {
            // A warm image that was never filled leaves its scope empty: the scope is still listed, to say so.
            scopes.TryAdd(WarmScope(backend).Key, (backend, 0, 0));
        }

        ImageVolumeCacheOptions options = _options.CurrentValue;
        var statistics = new List<CacheScopeStatistics>(scopes.Count);
        foreach ((string scopeKey, (string backend, int count, long sizeGb)) in scopes)
        {
            CacheLimits limits = CacheLimits.For(options, backend);
            ScopeCounters? counters = _counters.GetValueOrDefault(scopeKey);
            statistics.Add(new CacheScopeStatistics(backend, scopeKey)
            {
                Entries = count,
                SizeGb = sizeGb,
                MaxCount = limits.MaxCount,
                MaxSizeGb = limits.MaxSizeGb,
                Enabled = limits.Enabled && _tenant.Tenant.IsConfigured,
                Hits = counters?.Hits ?? 0,
                Misses = counters?.Misses ?? 0,
                Evictions = counters?.Evictions() ?? [],
                FillsInProgress = _fills.CountFor(scopeKey),
                LastFillError = counters?.LastFillError,
                OutdatedWarmImages = string.Equals(WarmScope(backend).Key, scopeKey, StringComparison.Ordinal) ? OutdatedWarmImages(backend) : [],
            });
        }

        statistics.Sort(static (a, b) =>
        {
            int byBackend = string.CompareOrdinal(a.Backend, b.Backend);
            return byBackend != 0 ? byBackend : string.CompareOrdinal(a.ScopeKey, b.ScopeKey);
        });
        return new ImageVolumeCacheStatistics(_time.GetUtcNow(), statistics);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ImageCacheEntry>> ListByLastUseAsync(string? scopeKey, int skip, int take, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        IReadOnlyList<ImageCacheEntry> entries = await _store.ListAsync(scopeKey, cancellationToken).ConfigureAwait(false);
        return [.. entries.OrderByDescending(e => e.LastUsed).ThenBy(e => e.Id).Skip(skip).Take(take)];
    }

    private ScopeCounters CountersFor(CacheScope scope) =>
        _counters.TryGetValue(scope.Key, out ScopeCounters? counters) ? counters : _counters.GetOrAdd(scope.Key, static (_, backend) => new ScopeCounters(backend), scope.Backend);

    /// <summary>Notes a fill that failed, for <see cref="CacheScopeStatistics.LastFillError"/>; never stops the exception (returns false).</summary>
    private bool NoteFillFailed(CacheScope scope, ImageInfo image, Exception exception)
    {
        if (exception is not OperationCanceledException)
        {
            CountersFor(scope).FillFailed(new CacheFillError(image.Id, $"{exception.GetType().Name}: {exception.Message}", _time.GetUtcNow()));
        }

        return false;
    }
}
