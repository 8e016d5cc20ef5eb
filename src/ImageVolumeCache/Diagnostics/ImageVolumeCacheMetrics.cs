using System.Diagnostics.Metrics;

namespace ImageVolumeCache.Diagnostics;

/// <summary>
/// The library's instruments, created from the host's <see cref="IMeterFactory"/> when it has one, and the per-scope
/// totals its gauges report.
/// </summary>
internal sealed class ImageVolumeCacheMetrics : IDisposable
{
    // Bucket boundaries the library advises for its histograms (an exporter may override them). The SDKs' defaults
    // (0 to 10,000) suit milliseconds; these durations are seconds, from a hit's few milliseconds to a large image's
    // download of an hour, and these sizes are disk images, from a megabyte to a terabyte (powers of four).
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    };

    private static readonly InstrumentAdvice<long> SizeAdvice = new()
    {
        HistogramBucketBoundaries = [1L << 20, 1L << 22, 1L << 24, 1L << 26, 1L << 28, 1L << 30, 1L << 32, 1L << 34, 1L << 36, 1L << 38, 1L << 40],
    };

    private const long BytesPerGb = 1L << 30;

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
    private readonly Counter<long> _fills;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _downloadDuration;
    private readonly Histogram<long> _downloadSize;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _conversionDuration;
    private readonly Histogram<long> _conversionSize;

    public ImageVolumeCacheMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(ImageVolumeCacheDiagnostics.MeterName) ?? new Meter(ImageVolumeCacheDiagnostics.MeterName);
        _hits = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.Hits, "{lookup}", "Cache lookups that found a current entry.");
        _misses = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.Misses, "{lookup}", "Cache lookups that found no current entry.");
        _evictions = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.Evictions, "{entry}", "Cache entries removed.");
        _fills = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.Fills, "{fill}", "Cache fills this process made, by how they ended.");
        _duration = _meter.CreateHistogram(ImageVolumeCacheDiagnostics.PipelineDuration, "s", "Time to make a volume from an image.", advice: DurationAdvice);
        _bytes = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.BytesDownloaded, "By", "Image bytes read from the image service, those of failed and stalled downloads included.");
        _downloadDuration = _meter.CreateHistogram(ImageVolumeCacheDiagnostics.DownloadDuration, "s", "Time to download an image, stalled attempts included.", advice: DurationAdvice);
        _downloadSize = _meter.CreateHistogram(ImageVolumeCacheDiagnostics.DownloadSize, "By", "Size of each image downloaded.", advice: SizeAdvice);
        _retries = _meter.CreateCounter<long>(ImageVolumeCacheDiagnostics.DownloadRetries, "{retry}", "Stalled downloads started over.");
        _conversionDuration = _meter.CreateHistogram(ImageVolumeCacheDiagnostics.ConversionDuration, "s", "Time to convert an image to raw with qemu-img.", advice: DurationAdvice);
        _conversionSize = _meter.CreateHistogram(ImageVolumeCacheDiagnostics.ConversionSize, "By", "Size of each raw disk converted from an image (its virtual size).", advice: SizeAdvice);
        _meter.CreateObservableGauge(ImageVolumeCacheDiagnostics.Entries, () => ObserveScopeTotals(sizes: false), "{entry}", "Cache entries per scope, as this process last read them from the entry store.");
        _meter.CreateObservableGauge(ImageVolumeCacheDiagnostics.Size, () => ObserveScopeTotals(sizes: true), "By", "Total size of the cache entries per scope (their sizes in GB times 2^30), as this process last read it from the entry store.");
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

    /// <summary>Counts image bytes read, whether the download then completed or not.</summary>
    public void Downloaded(string backend, long bytes) => _bytes.Add(bytes, new KeyValuePair<string, object?>("backend", backend));

    /// <summary>Records a download that completed: its whole time, stalled attempts included, and its size.</summary>
    public void DownloadCompleted(string backend, TimeSpan elapsed, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("backend", backend);
        _downloadDuration.Record(elapsed.TotalSeconds, tag);
        _downloadSize.Record(bytes, tag);
    }

    /// <summary>Records a conversion to raw that completed: its time and the raw disk's size.</summary>
    public void Converted(string backend, string format, TimeSpan elapsed, long bytes)
    {
        var backendTag = new KeyValuePair<string, object?>("backend", backend);
        var formatTag = new KeyValuePair<string, object?>("format", format);
        _conversionDuration.Record(elapsed.TotalSeconds, backendTag, formatTag);
        _conversionSize.Record(bytes, backendTag, formatTag);
    }

    /// <summary>
    /// Counts a fill this process made (it held the fill lease), with how it ended: <c>created</c>, <c>not_cached</c>,
    /// <c>failed</c> or <c>refused</c>.
    /// </summary>
    public void FillEnded(string backend, string outcome) =>
        _fills.Add(1, new KeyValuePair<string, object?>("backend", backend), new KeyValuePair<string, object?>("outcome", outcome));

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
                    sizes ? kept.Totals.SizeGb * BytesPerGb : kept.Totals.Count,
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
