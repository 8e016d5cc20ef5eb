using System.Security.Cryptography;
using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>Image data is hashed as it streams with the image's own algorithm; stalled downloads are retried, then given up.</summary>
public sealed class DownloadIntegrityTests : HarnessTestBase
{
    private static readonly byte[] Data = [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7))];

    [TestCase("sha256")]
    [TestCase("sha512")]
    [TestCase("md5")]
    public async Task Image_whose_checksum_matches_in_its_algorithm_is_cached(string algorithm)
    {
        AddImage(algorithm, Checksum(algorithm, Data));

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(Harness.Driver.GetVolume(result.CacheEntry!.VolumeId).Data, Is.EqualTo(Data));
    }

    [TestCase("sha256")]
    [TestCase("sha512")]
    [TestCase("md5")]
    public async Task Checksum_mismatch_in_any_algorithm_fails_the_request_and_caches_nothing(string algorithm)
    {
        byte[] other = [.. Data];
        other[^1] ^= 1;
        AddImage(algorithm, Checksum(algorithm, other));

        var ex = Assert.ThrowsAsync<ImageDataCorruptException>(async () => await Harness.CreateAsync("img"));

        Assert.That(ex!.Message, Does.Contain(algorithm).And.Contain("img"));
        Assert.That(Harness.Driver.Volumes, Is.Empty);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Data_longer_than_the_image_size_fails_the_request_and_caches_nothing()
    {
        AddImage("sha256", Checksum("sha256", Data));
        Harness.Images.StreamFactory = (_, data) => new MemoryStream([.. data, 0]);

        var ex = Assert.ThrowsAsync<ImageDataCorruptException>(async () => await Harness.CreateAsync("img"));

        Assert.That(ex!.Message, Does.Contain("10001 bytes"));
        Assert.That(Harness.Driver.Volumes, Is.Empty);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public void A_stream_far_longer_than_the_claimed_size_fails_as_soon_as_it_passes_it()
    {
        Harness.AddImage("img", sizeBytes: 100_000);
        var endless = new EndlessStream();
        Harness.Images.StreamFactory = (_, _) => endless;

        ImageDataCorruptException? ex = Assert.ThrowsAsync<ImageDataCorruptException>(async () => await Harness.CreateAsync("img"));

        Assert.That(ex!.Message, Does.Contain("longer than its size of 100000 bytes"));
        Assert.That(endless.Served, Is.LessThan(2 << 20), "reading stopped once the data passed its size, not at the end of the stream");
        Assert.That(Harness.Driver.Volumes, Is.Empty);
    }

    [Test]
    public async Task Stalled_download_is_aborted_and_started_over_into_the_same_volume()
    {
        Harness.AddImage("img", sizeBytes: 100_000);
        using var stalled = new SemaphoreSlim(0);
        int opens = 0;
        // The stall comes after the first 64 KiB, which are checked before the volume is made: the volume exists when it stalls.
        Harness.Images.StreamFactory = (_, data) => Interlocked.Increment(ref opens) == 1 ? new StallingStream(data, 80_000, stalled) : new MemoryStream(data);
        using MetricCollector<long> retries = Harness.Collect(ImageVolumeCacheDiagnostics.DownloadRetries);

        Task<CreateVolumeFromImageResult> request = Harness.CreateAsync("img").AsTask();
        await stalled.WaitAsync(TimeSpan.FromSeconds(60));
        Harness.Time.Advance(TimeSpan.FromSeconds(60));
        CreateVolumeFromImageResult result = await Eventually.Within(request);

        string cacheVolume = result.CacheEntry!.VolumeId;
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(2));
        Assert.That(Harness.Driver.Calls.Where(c => c.Operation == DriverOperation.CopyImage).Select(c => c.VolumeId), Is.EqualTo(new[] { cacheVolume, cacheVolume }));
        Assert.That(Harness.Driver.GetVolume(cacheVolume).ImageDataComplete, Is.True);
        Assert.That(retries.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(Harness.Logs(1023).Single().Message, Does.Contain("img").And.Contain(cacheVolume));
    }

    [Test]
    public async Task Download_that_keeps_stalling_fails_clearly_after_its_retries_and_leaves_nothing()
    {
        using var harness = new CacheHarness(o => o.DownloadRetries = 1);
        harness.AddImage("img", sizeBytes: 100_000);
        using var stalled = new SemaphoreSlim(0);
        harness.Images.StreamFactory = (_, data) => new StallingStream(data, 30_000, stalled);
        using MetricCollector<long> retries = harness.Collect(ImageVolumeCacheDiagnostics.DownloadRetries);

        Task<CreateVolumeFromImageResult> request = harness.CreateAsync("img").AsTask();
        for (int attempt = 0; attempt < 2; attempt++)
        {
            await stalled.WaitAsync(TimeSpan.FromSeconds(60));
            harness.Time.Advance(TimeSpan.FromSeconds(60));
        }

        var ex = Assert.ThrowsAsync<ImageDownloadStalledException>(async () => await Eventually.Within(request));
        Assert.That(ex!.Attempts, Is.EqualTo(2));
        Assert.That(ex.Message, Does.Contain("'img'").And.Contain("00:01:00"));
        Assert.That(harness.Images.DownloadCount, Is.EqualTo(2), "a stall is the image's failure: no second download into the target");
        Assert.That(harness.Driver.Volumes, Is.Empty);
        Assert.That(await harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(retries.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(harness.Logs(1024), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Stall_timer_restarts_with_each_read_that_brings_data()
    {
        using var harness = new CacheHarness(o => o.DownloadRetries = 0);
        harness.AddImage("img", sizeBytes: 100_000);
        using var stalled = new SemaphoreSlim(0);
        harness.Images.StreamFactory = (_, data) => new StallingStream(data, 30_000, stalled);
        harness.Driver.Delay = (call, _) =>
        {
            // 59 s pass between opening the image and the first read: slow, but not a stall.
            if (call.Operation == DriverOperation.CopyImage)
            {
                harness.Time.Advance(TimeSpan.FromSeconds(59));
            }

            return ValueTask.CompletedTask;
        };

        Task<CreateVolumeFromImageResult> request = harness.CreateAsync("img").AsTask();
        await stalled.WaitAsync(TimeSpan.FromSeconds(60));
        harness.Time.Advance(TimeSpan.FromSeconds(59));
        bool abortedEarly = request.IsCompleted;
        harness.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(abortedEarly, Is.False, "59 s after the last data is not a stall");
        var ex = Assert.ThrowsAsync<ImageDownloadStalledException>(async () => await Eventually.Within(request));
        Assert.That(ex!.Attempts, Is.EqualTo(1));
    }

    private void AddImage(string algorithm, string checksum)
    {
        Harness.Images.Add("img", Data);
        Harness.Images.Update("img", i => i with { ChecksumAlgorithm = algorithm, Checksum = checksum });
    }

    private static string Checksum(string algorithm, byte[] data) => Convert.ToHexStringLower(algorithm switch
    {
        "sha512" => SHA512.HashData(data),
        "md5" => MD5.HashData(data),
        _ => SHA256.HashData(data),
    });

    /// <summary>A stream that never ends, counting what it served.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Served;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)7, offset, count);
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
