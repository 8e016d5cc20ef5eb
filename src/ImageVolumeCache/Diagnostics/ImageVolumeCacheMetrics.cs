using System.Diagnostics.Metrics;

namespace ImageVolumeCache.Diagnostics;

/// <summary>
/// The library's instruments, created from the host's <see cref="IMeterFactory"/> when it has one, and the per-scope
/// totals its gauges report.
/// </summary>
internal sealed class ImageVolumeCacheMetrics : IDisposable
{
    // The gauges report the totals this process last read from the entry store, per scope key. A read is numbered when
    // it starts (after the change it follows); a result is kept only when no later-started read was kept already, so
    // two racing refreshes never leave the older figures behind.
    private readonly Dictionary<string, ScopeTotals> _scopeTotals = new(StringComparer.Ordinal);
    private readonly Lock _scopeTotalsGate = new();
    private long _totalsReads;

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _evictions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _retries;

    public ImageVolumeCacheMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(ImageVolumeCacheDiagnostics.MeterName) ?? new Meter(ImageVolumeCacheDiagnostics.MeterName);
        _hits = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.Hits, "{lookup}", "Cache lookups that found a current entry.");
        _misses = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.Misses, "{lookup}", "Cache lookups that found no current entry.");
        _evictions = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.Evictions, "{entry}", "Cache entries removed.");
        _duration = _meter.CreateHistogram<double>(ImageVolumeCacheDiagnostics.PipelineDuration, "s", "Time to make a volume from an image.");
        _bytes = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.BytesDownloaded, "By", "Image bytes read from the image service.");
        _retries = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.DownloadRetries, "{retry}", "Stalled downloads started over.");
        _meter.CreateObservableGauge(ImageVolumeCacheDiagnostics.Entries, () => ObserveScopeTotals(sizes: false), "{entry}", "Cache entries per scope, as this process last read them from the entry store.");
        _meter.CreateObservableGauge(ImageVolumeCacheDiagnostics.SizeGb, () => ObserveScopeTotals(sizes: true), "{GB}", "Total size in GB of the cache entries per scope, as this process last read it from the entry store.");
    }

    // The backend tag is cut from the scope's host only when someone listens, so a hit allocates nothing for metrics.
    public void Hit(CacheScope scope)
    {
        if (_hits.Enabled)
        {
            _hits.Add(1, new KeyValuePair<string, object?>("backend", scope.Backend));
        }
    }

    public void Miss(CacheScope scope)
    {
        if (_misses.Enabled)
        {
            _misses.Add(1, new KeyValuePair<string, object?>("backend", scope.Backend));
        }
    }

    public void Evicted(string backend, EvictionReason reason) =>
        _evictions.Add(1, new KeyValuePair<string, object?>("backend", backend), new KeyValuePair<string, object?>("reason", ReasonTag(reason)));

    public void PipelineCompleted(string backend, CreateFromImagePath path, TimeSpan elapsed)
    {
        if (_duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("backend", backend), new KeyValuePair<string, object?>("path", PathTag(path)));
        }
    }

    public void Downloaded(string backend, long bytes) => _bytes.Add(bytes, new KeyValuePair<string, object?>("backend", backend));

    public void DownloadRetried(string backend) => _retries.Add(1, new KeyValuePair<string, object?>("backend", backend));

    /// <summary>Numbers a read of a scope's totals; call before reading them from the store.</summary>
    public long BeginTotalsRead() => Interlocked.Increment(ref _totalsReads);

    /// <summary>Keeps a scope's totals for the gauges, unless a read that started later was kept already.</summary>
    public void TotalsRead(CacheScope scope, CacheScopeTotals totals, long read)
    {
        lock (_scopeTotalsGate)
        {
            if (!_scopeTotals.TryGetValue(scope.Key, out ScopeTotals kept) || kept.Read < read)
            {
                _scopeTotals[scope.Key] = new ScopeTotals(scope.Backend, totals, read);
            }
        }
    }

    private List<Measurement<long>> ObserveScopeTotals(bool sizes)
    {
        lock (_scopeTotalsGate)
        {
            var measurements = new List<Measurement<long>>(_scopeTotals.Count);
            foreach ((string scope, ScopeTotals kept) in _scopeTotals)
            {
                measurements.Add(new Measurement<long>(
                    sizes ? kept.Totals.SizeGb : kept.Totals.Count,
                    new KeyValuePair<string, object?>("scope", scope),
                    new KeyValuePair<string, object?>("backend", kept.Backend)));
            }

            return measurements;
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    internal static string PathTag(CreateFromImagePath path) => path switch
    {
        CreateFromImagePath.DirectClone => "direct_clone",
        CreateFromImagePath.ImageVolumeClone => "image_volume_clone",
        CreateFromImagePath.CacheHit => "cache_hit",
        CreateFromImagePath.CacheMissCreated => "cache_miss_created",
        CreateFromImagePath.CacheMissNotCached => "cache_miss_not_cached",
        _ => "download",
    };

    internal static string ReasonTag(EvictionReason reason) => reason switch
    {
        EvictionReason.Space => "space",
        EvictionReason.Stale => "stale",
        EvictionReason.CloneLimit => "clone_limit",
        EvictionReason.VolumeMissing => "volume_missing",
        EvictionReason.Manual => "manual",
        EvictionReason.VolumeDeleted => "volume_deleted",
        EvictionReason.Purge => "purge",
        EvictionReason.Untrusted => "untrusted",
        EvictionReason.ClusterConflict => "cluster_conflict",
        EvictionReason.Idle => "idle",
        EvictionReason.ImageDeleted => "image_deleted",
        _ => "trim",
    };

    private readonly record struct ScopeTotals(string Backend, CacheScopeTotals Totals, long Read);
}
