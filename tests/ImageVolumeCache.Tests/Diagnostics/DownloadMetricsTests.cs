using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>The download duration and size histograms, and the counter of bytes read from the image service.</summary>
public sealed class DownloadMetricsTests
{
    private const string PoolHost = CacheHarness.Backend + "#pool-a";

    [Test]
    public async Task A_miss_records_one_download_with_its_duration_and_size_tagged_with_the_backend_without_its_pool()
    {
        using var harness = new CacheHarness();
        ImageInfo image = harness.AddImage("image-a", sizeBytes: 100_000);
        harness.Driver.Delay = (call, _) =>
        {
            if (call.Operation == DriverOperation.CopyImage)
            {
                harness.Time.Advance(TimeSpan.FromSeconds(3));
            }

            return ValueTask.CompletedTask;
        };
        using MetricCollector<double> durations = harness.Collect<double>(ImageVolumeCacheDiagnostics.DownloadDuration);
        using MetricCollector<long> sizes = harness.Collect(ImageVolumeCacheDiagnostics.DownloadSize);

        await harness.CreateAsync("image-a", host: PoolHost);

        Assert.That(durations.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"])), Is.EqualTo(new[] { (3.0, (object?)CacheHarness.Backend) }));
        Assert.That(sizes.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"])), Is.EqualTo(new[] { (image.SizeBytes, (object?)CacheHarness.Backend) }));
    }

    [Test]
    public async Task A_hit_records_no_download()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");
        using MetricCollector<double> durations = harness.Collect<double>(ImageVolumeCacheDiagnostics.DownloadDuration);
        using MetricCollector<long> sizes = harness.Collect(ImageVolumeCacheDiagnostics.DownloadSize);

        await harness.CreateAsync("image-a");

        Assert.That(durations.GetMeasurementSnapshot().Count + sizes.GetMeasurementSnapshot().Count, Is.Zero);
    }

    [Test]
    public async Task A_download_started_over_after_a_stall_is_recorded_once_with_the_stall_in_its_duration()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a", sizeBytes: 100_000);
        using var stalled = new SemaphoreSlim(0);
        int opens = 0;
        harness.Images.StreamFactory = (_, data) => Interlocked.Increment(ref opens) == 1 ? new StallingStream(data, 80_000, stalled) : new MemoryStream(data);
        using MetricCollector<double> durations = harness.Collect<double>(ImageVolumeCacheDiagnostics.DownloadDuration);
        using MetricCollector<long> sizes = harness.Collect(ImageVolumeCacheDiagnostics.DownloadSize);
        using MetricCollector<long> read = harness.Collect(ImageVolumeCacheDiagnostics.BytesDownloaded);

        Task<CreateVolumeFromImageResult> request = harness.CreateAsync("image-a").AsTask();
        await stalled.WaitAsync(TimeSpan.FromSeconds(60));
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        await Eventually.Within(request);

        Assert.That(durations.GetMeasurementSnapshot().Select(m => m.Value), Is.EqualTo(new[] { 60.0 }));
        Assert.That(sizes.GetMeasurementSnapshot().Select(m => m.Value), Is.EqualTo(new[] { 100_000L }));
        Assert.That(read.GetMeasurementSnapshot().Sum(m => m.Value), Is.GreaterThan(100_000L), "the stalled attempt's bytes were read too");
    }

    [Test]
    public async Task A_download_that_fails_records_no_download()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        harness.Images.Update("image-a", image => image with { Checksum = new string('0', 64) }); // its data does not match
        using MetricCollector<double> durations = harness.Collect<double>(ImageVolumeCacheDiagnostics.DownloadDuration);

        Assert.ThrowsAsync<ImageDataCorruptException>(async () => await harness.CreateAsync("image-a"));

        Assert.That(durations.GetMeasurementSnapshot(), Is.Empty);
    }
}
