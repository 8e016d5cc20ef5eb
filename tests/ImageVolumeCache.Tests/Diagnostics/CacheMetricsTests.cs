using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>The hit, miss and eviction counters and their tags.</summary>
public sealed class CacheMetricsTests
{
    private const string PoolHost = CacheHarness.Backend + "#pool-a";

    [Test]
    public async Task Miss_counts_one_miss_tagged_with_the_backend_without_its_pool()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        using MetricCollector<long> misses = harness.Collect(ImageVolumeCacheDiagnostics.Misses);

        await harness.CreateAsync("image-a", host: PoolHost);

        Assert.That(misses.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"])), Is.EqualTo(new[] { (1L, (object?)CacheHarness.Backend) }));
    }

    [Test]
    public async Task Hit_counts_one_hit_tagged_with_the_backend_without_its_pool()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a", host: PoolHost);
        using MetricCollector<long> hits = harness.Collect(ImageVolumeCacheDiagnostics.Hits);

        await harness.CreateAsync("image-a", host: PoolHost);

        Assert.That(hits.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"])), Is.EqualTo(new[] { (1L, (object?)CacheHarness.Backend) }));
    }

    [Test]
    public async Task Hit_is_not_counted_as_a_miss()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");
        using MetricCollector<long> misses = harness.Collect(ImageVolumeCacheDiagnostics.Misses);

        await harness.CreateAsync("image-a");

        Assert.That(misses.GetMeasurementSnapshot(), Is.Empty);
    }

    [Test]
    public async Task Encrypted_volume_counts_neither_hit_nor_miss()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        using MetricCollector<long> hits = harness.Collect(ImageVolumeCacheDiagnostics.Hits);
        using MetricCollector<long> misses = harness.Collect(ImageVolumeCacheDiagnostics.Misses);

        await harness.CreateAsync("image-a", encrypted: true);

        Assert.That(hits.GetMeasurementSnapshot().Count + misses.GetMeasurementSnapshot().Count, Is.Zero);
    }

    [Test]
    public async Task Eviction_to_make_room_is_counted_with_reason_space()
    {
        using var harness = new CacheHarness(options => options.Defaults.MaxCount = 1);
        harness.AddImage("image-a");
        harness.AddImage("image-b");
        await harness.CreateAsync("image-a");
        using MetricCollector<long> evictions = harness.Collect(ImageVolumeCacheDiagnostics.Evictions);

        await harness.CreateAsync("image-b");

        Assert.That(Tags(evictions), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "space") }));
    }

    [Test]
    public async Task Eviction_of_a_stale_entry_is_counted_with_reason_stale()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");
        harness.AddImage("image-a", updatedAt: new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        using MetricCollector<long> evictions = harness.Collect(ImageVolumeCacheDiagnostics.Evictions);

        await harness.CreateAsync("image-a");

        Assert.That(Tags(evictions), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "stale") }));
    }

    [Test]
    public async Task Eviction_by_an_administrator_is_counted_with_reason_manual()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        CreateVolumeFromImageResult made = await harness.CreateAsync("image-a");
        using MetricCollector<long> evictions = harness.Collect(ImageVolumeCacheDiagnostics.Evictions);

        await harness.Cache.EvictAsync(made.CacheEntry!, CancellationToken.None);

        Assert.That(Tags(evictions), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "manual") }));
    }

    [Test]
    public async Task Deleting_a_cache_volume_is_counted_with_reason_volume_deleted()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        CreateVolumeFromImageResult made = await harness.CreateAsync("image-a");
        using MetricCollector<long> evictions = harness.Collect(ImageVolumeCacheDiagnostics.Evictions);

        await harness.Cache.OnVolumeDeletedAsync(made.CacheEntry!.VolumeId, CancellationToken.None);

        Assert.That(Tags(evictions), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "volume_deleted") }));
    }

    [Test]
    public async Task Purge_counts_each_evicted_entry_with_reason_purge()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        harness.AddImage("image-b");
        await harness.CreateAsync("image-a", host: PoolHost);
        await harness.CreateAsync("image-b", host: PoolHost);
        using MetricCollector<long> evictions = harness.Collect(ImageVolumeCacheDiagnostics.Evictions);

        await harness.Cache.PurgeAsync(PoolHost, CancellationToken.None);

        Assert.That(Tags(evictions), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "purge"), (1L, CacheHarness.Backend, "purge") }));
    }

    [Test]
    public async Task Download_counts_the_image_bytes_tagged_with_the_backend()
    {
        using var harness = new CacheHarness();
        ImageInfo image = harness.AddImage("image-a");
        using MetricCollector<long> bytes = harness.Collect(ImageVolumeCacheDiagnostics.BytesDownloaded);

        await harness.CreateAsync("image-a", host: PoolHost, encrypted: true);

        Assert.That(bytes.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"])), Is.EqualTo(new[] { (image.SizeBytes, (object?)CacheHarness.Backend) }));
    }

    [Test]
    public async Task Pipeline_duration_is_recorded_with_the_path_taken()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");
        using var durations = new MetricCollector<double>(harness.MeterFactory, ImageVolumeCacheDiagnostics.MeterName, ImageVolumeCacheDiagnostics.PipelineDuration);

        await harness.CreateAsync("image-a");

        Assert.That(durations.GetMeasurementSnapshot().Select(m => (m.Tags["backend"], m.Tags["path"])), Is.EqualTo(new[] { ((object?)CacheHarness.Backend, (object?)"cache_hit") }));
    }

    /// <summary>Each eviction measurement as (value, backend tag, reason tag).</summary>
    private static List<(long Value, object? Backend, object? Reason)> Tags(MetricCollector<long> evictions) =>
        evictions.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"], m.Tags["reason"])).ToList();
}
