using ImageVolumeCache.Tests.Support;
using static ImageVolumeCache.PipelineStep;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>
/// A request's <see cref="CreateVolumeFromImageRequest.Progress"/>: every step's start, a download's bytes in order at
/// most once per 100 ms of the clock and always its last byte, the end of a step that moves bytes; a callback that throws
/// never fails the request.
/// </summary>
public sealed class ProgressTests : HarnessTestBase
{
    private const int Size = 1 << 20;
    private const int Chunk = 64 << 10;
    private const int WaitingForFill = 1025;
    private const int ProgressCallbackFailed = 1100;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    [Test]
    public async Task A_download_reports_its_start_then_its_bytes_in_order_and_ends_at_the_total()
    {
        RecordingProgress progress = await DownloadIn16ReadsOf30MsAsync();

        Assert.That(progress.Steps, Is.EqualTo(new[] { DescribeImage, Download }));
        List<CreateFromImageProgress> download = [.. progress.Reports.Where(r => r.Step == Download)];
        Assert.That(download[0], Is.EqualTo(new CreateFromImageProgress(Download, 0, Size)));
        Assert.That(download[^1], Is.EqualTo(new CreateFromImageProgress(Download, Size, Size)));
        Assert.That(download.Select(r => r.BytesDone), Is.Ordered.Ascending.And.Unique);
        Assert.That(download, Has.Count.GreaterThan(2), "bytes were reported between the start and the end");
    }

    [Test]
    public async Task Bytes_are_reported_at_most_once_per_100_ms_of_the_clock_and_the_last_byte_always()
    {
        RecordingProgress progress = await DownloadIn16ReadsOf30MsAsync();

        List<(CreateFromImageProgress Report, DateTimeOffset At)> download = [.. progress.Timed.Where(r => r.Report.Step == Download)];
        Assert.That(download, Has.Count.EqualTo(5), "16 reads 30 ms apart: the start, a report every 4th read (120 ms), and the last byte");
        for (int i = 1; i < download.Count - 1; i++)
        {
            Assert.That(download[i].At - download[i - 1].At, Is.GreaterThanOrEqualTo(Interval), $"report {i}: {download[i].Report}");
        }

        Assert.That(download[^1].Report.BytesDone, Is.EqualTo(Size));
    }

    [Test]
    public async Task A_download_that_takes_no_time_reports_only_its_start_and_its_last_byte()
    {
        Harness.AddImage("img", Size);
        var progress = new RecordingProgress(Harness.Time);

        await CreateAsync(progress, encrypted: true);

        Assert.That(progress.Reports, Is.EqualTo(new[]
        {
            new CreateFromImageProgress(DescribeImage, 0, null),
            new CreateFromImageProgress(Download, 0, Size),
            new CreateFromImageProgress(Download, Size, Size),
        }));
    }

    [Test]
    public async Task A_miss_reports_each_step_and_the_cache_fill_as_the_bytes_of_CreateCacheEntry()
    {
        Harness.AddImage("img", Size);
        ServeInChunks(TimeSpan.FromMilliseconds(30));
        var progress = new RecordingProgress(Harness.Time);

        CreateVolumeFromImageResult result = await CreateAsync(progress);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(progress.Steps, Is.EqualTo(new[] { DescribeImage, DirectClone, CacheLookup, EnsureSpace, CreateCacheEntry, CloneFromCache }));
        Assert.That(progress.Reports.Where(r => r.Step != CreateCacheEntry), Has.All.Property(nameof(CreateFromImageProgress.BytesTotal)).Null);
        List<CreateFromImageProgress> fill = [.. progress.Reports.Where(r => r.Step == CreateCacheEntry)];
        Assert.That(fill[0], Is.EqualTo(new CreateFromImageProgress(CreateCacheEntry, 0, Size)));
        Assert.That(fill[^1], Is.EqualTo(new CreateFromImageProgress(CreateCacheEntry, Size, Size)));
        Assert.That(fill.Select(r => r.BytesDone), Is.Ordered.Ascending.And.Unique);
    }

    [Test]
    public async Task A_hit_reports_its_steps_and_no_bytes()
    {
        Harness.AddImage("img", Size);
        await Harness.CreateAsync("img");
        var progress = new RecordingProgress(Harness.Time);

        CreateVolumeFromImageResult result = await CreateAsync(progress, sizeGb: 2);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(progress.Reports, Is.EqualTo(new[] { DescribeImage, DirectClone, CacheLookup, CloneFromCache, Extend }.Select(s => new CreateFromImageProgress(s, 0, null))));
    }

    [Test]
    public async Task A_waiter_of_another_requests_fill_reports_its_wait_and_its_clone_and_no_bytes()
    {
        Harness.AddImage("img", Size);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var filling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Images.StreamFactory = (_, data) =>
        {
            filling.TrySetResult();
            return new GatedStream(gate.Task, data);
        };
        var progress = new RecordingProgress(Harness.Time);
        Task<CreateVolumeFromImageResult> leader = Harness.CreateAsync("img", volumeId: "leader").AsTask();
        await Eventually.HappensAsync(filling.Task, "the first request is filling the cache volume");

        Task<CreateVolumeFromImageResult> waiter = CreateAsync(progress).AsTask();
        await Eventually.HappensAsync(Harness.LogSignals.WhenLogged(WaitingForFill, 1), "the second request waits for the leader's fill");
        gate.SetResult();
        await Eventually.Within(leader);
        CreateVolumeFromImageResult result = await Eventually.Within(waiter);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(progress.Reports, Is.EqualTo(new[] { DescribeImage, DirectClone, CacheLookup, CacheFillWait, CacheLookup, CloneFromCache }.Select(s => new CreateFromImageProgress(s, 0, null))));
    }

    [Test]
    public async Task A_download_started_over_after_a_stall_never_reports_fewer_bytes()
    {
        Harness.AddImage("img", 100_000);
        using var stalled = new SemaphoreSlim(0);
        int opens = 0;
        Harness.Images.StreamFactory = (_, data) => Interlocked.Increment(ref opens) == 1 ? new StallingStream(data, 80_000, stalled) : new MemoryStream(data);
        var progress = new RecordingProgress(Harness.Time);

        Task<CreateVolumeFromImageResult> request = CreateAsync(progress).AsTask();
        await stalled.WaitAsync(TimeSpan.FromSeconds(60));
        Harness.Time.Advance(TimeSpan.FromSeconds(60));
        await Eventually.Within(request);

        List<long> fill = [.. progress.Reports.Where(r => r.Step == CreateCacheEntry).Select(r => r.BytesDone)];
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(2));
        Assert.That(fill, Is.Ordered.Ascending.And.Unique);
        Assert.That(fill[^1], Is.EqualTo(100_000));
    }

    [Test]
    public async Task Without_progress_a_request_takes_the_same_steps_and_calls()
    {
        using var withProgress = new CacheHarness();
        foreach (CacheHarness harness in new[] { Harness, withProgress })
        {
            harness.AddImage("img", Size);
        }

        CreateVolumeFromImageResult without = await Harness.Pipeline.CreateAsync(CacheHarness.Request("img", volumeId: "vol"));
        CreateVolumeFromImageResult with = await withProgress.Pipeline.CreateAsync(
            CacheHarness.Request("img", volumeId: "vol") with { Progress = new RecordingProgress(withProgress.Time) });

        Assert.That(with.Path, Is.EqualTo(without.Path));
        Assert.That(with.Steps.Select(s => s.Step), Is.EqualTo(without.Steps.Select(s => s.Step)));
        Assert.That(withProgress.Driver.Calls.Select(c => c.Operation), Is.EqualTo(Harness.Driver.Calls.Select(c => c.Operation)));
        Assert.That(withProgress.Images.DownloadCount, Is.EqualTo(Harness.Images.DownloadCount));
    }

    [Test]
    public async Task A_callback_that_throws_is_logged_once_and_not_called_again_and_the_request_goes_on()
    {
        Harness.AddImage("img", Size);
        ServeInChunks(TimeSpan.FromMilliseconds(30));
        var progress = new RecordingProgress(Harness.Time, throws: true);

        CreateVolumeFromImageResult result = await CreateAsync(progress);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(Harness.Driver.GetVolume(result.CacheEntry!.VolumeId).ImageDataComplete, Is.True);
        Assert.That(progress.Reports, Has.Count.EqualTo(1));
        Assert.That(Harness.Logs(ProgressCallbackFailed).Single().Message, Does.Contain(result.Volume.Id).And.Contain("img").And.Contain(nameof(DescribeImage)));
    }

    [Test]
    public async Task An_image_that_is_converted_reports_its_download_to_scratch_and_its_conversion()
    {
        using var workshop = new DiskImageWorkshop();
        byte[] qcow2 = await File.ReadAllBytesAsync(workshop.Create("qcow2", "img.qcow2", "8M"));
        Harness.Images.Add("img", qcow2);
        Harness.Images.Update("img", image => image with { DiskFormat = "qcow2" });
        var progress = new RecordingProgress(Harness.Time);

        CreateVolumeFromImageResult result = await CreateAsync(progress);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(progress.Steps, Is.EqualTo(new[] { DescribeImage, DirectClone, CacheLookup, DownloadToScratch, EnsureSpace, CreateCacheEntry, PipelineStep.Convert, CloneFromCache }));
        Assert.That(progress.Reports.Where(r => r.Step is DownloadToScratch or CreateCacheEntry or PipelineStep.Convert), Is.EqualTo(new[]
        {
            new CreateFromImageProgress(DownloadToScratch, 0, qcow2.Length),
            new CreateFromImageProgress(DownloadToScratch, qcow2.Length, qcow2.Length),
            new CreateFromImageProgress(CreateCacheEntry, 0, null),
            new CreateFromImageProgress(PipelineStep.Convert, 0, 8 << 20),
            new CreateFromImageProgress(PipelineStep.Convert, 8 << 20, 8 << 20),
        }));
    }

    /// <summary>A download without the cache (an encrypted volume), of 16 reads that take 30 ms each.</summary>
    private async Task<RecordingProgress> DownloadIn16ReadsOf30MsAsync()
    {
        Harness.AddImage("img", Size);
        ServeInChunks(TimeSpan.FromMilliseconds(30));
        var progress = new RecordingProgress(Harness.Time);
        await CreateAsync(progress, encrypted: true);
        return progress;
    }

    private void ServeInChunks(TimeSpan perRead) =>
        Harness.Images.StreamFactory = (_, data) => new ClockedStream(data, Chunk, Harness.Time, perRead);

    private ValueTask<CreateVolumeFromImageResult> CreateAsync(RecordingProgress progress, int sizeGb = 1, bool encrypted = false) =>
        Harness.Pipeline.CreateAsync(CacheHarness.Request("img", sizeGb, encrypted: encrypted) with { Progress = progress });
}
