using ImageVolumeCache.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>The counter of cache fills, one per fill this process leads, tagged with how it ended.</summary>
public sealed class CacheFillMetricsTests
{
    private const string PoolHost = CacheHarness.Backend + "#pool-a";
    private const int WaitingForFill = 1025;

    [Test]
    public async Task A_miss_that_makes_an_entry_counts_one_fill_created_tagged_with_the_backend_without_its_pool()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        using MetricCollector<long> fills = harness.Collect(ImageVolumeCacheDiagnostics.Fills);

        await harness.CreateAsync("image-a", host: PoolHost);

        Assert.That(Fills(fills), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "created") }));
    }

    [Test]
    public async Task A_hit_counts_no_fill()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");
        using MetricCollector<long> fills = harness.Collect(ImageVolumeCacheDiagnostics.Fills);

        await harness.CreateAsync("image-a");

        Assert.That(fills.GetMeasurementSnapshot(), Is.Empty);
    }

    [Test]
    public async Task A_miss_without_room_for_the_entry_counts_one_fill_not_cached()
    {
        using var harness = new CacheHarness(options => options.Defaults.MaxSizeGb = 1);
        harness.AddImage("image-a", virtualSizeBytes: 3 * CacheHarness.GiB);
        using MetricCollector<long> fills = harness.Collect(ImageVolumeCacheDiagnostics.Fills);

        CreateVolumeFromImageResult made = await harness.CreateAsync("image-a", sizeGb: 3);

        Assert.That(made.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(Fills(fills), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "not_cached") }));
    }

    [Test]
    public void A_fill_whose_image_data_is_corrupt_counts_one_fill_failed()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        harness.Images.Update("image-a", image => image with { Checksum = new string('0', 64) }); // its data does not match
        using MetricCollector<long> fills = harness.Collect(ImageVolumeCacheDiagnostics.Fills);

        Assert.ThrowsAsync<ImageDataCorruptException>(async () => await harness.CreateAsync("image-a"));

        Assert.That(Fills(fills), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "failed") }));
    }

    [Test]
    public void A_fill_whose_image_is_refused_by_its_inspection_counts_one_fill_refused()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a", sizeBytes: 100_000);
        harness.Images.Update("image-a", image => image with { DiskFormat = "qcow2" }); // its bytes are not qcow2
        using MetricCollector<long> fills = harness.Collect(ImageVolumeCacheDiagnostics.Fills);

        Assert.ThrowsAsync<ImageUnacceptableException>(async () => await harness.CreateAsync("image-a"));

        Assert.That(Fills(fills), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "refused") }));
    }

    [Test]
    public async Task Requests_that_wait_for_another_requests_fill_count_no_fill_of_their_own()
    {
        const int Requests = 4;
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.CopyImage ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        using MetricCollector<long> fills = harness.Collect(ImageVolumeCacheDiagnostics.Fills);

        Task<CreateVolumeFromImageResult>[] requests = [.. Enumerable.Range(0, Requests).Select(i => harness.CreateAsync("image-a", volumeId: $"v{i}").AsTask())];
        await Eventually.HappensAsync(harness.LogSignals.WhenLogged(WaitingForFill, Requests - 1), "every other request waits for the first one's fill");
        gate.SetResult();
        await Eventually.Within(Task.WhenAll(requests));

        Assert.That(Fills(fills), Is.EqualTo(new[] { (1L, CacheHarness.Backend, "created") }));
    }

    /// <summary>Each fill measurement as (value, backend tag, outcome tag).</summary>
    private static List<(long Value, object? Backend, object? Outcome)> Fills(MetricCollector<long> fills) =>
        fills.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"], m.Tags["outcome"])).ToList();
}
