using ImageVolumeCache.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>
/// An image service that cannot continue a download where it stopped says so with <see cref="ImageDownloadRestartException"/>:
/// the same data is downloaded again from its first byte with a fresh checksum; a changed image makes the request start
/// over with the new version, and nothing is cached from the old one.
/// </summary>
public sealed class DownloadRestartTests : HarnessTestBase
{
    private static readonly DateTimeOffset Later = InMemoryImageService.DefaultUpdatedAt.AddHours(1);

    [Test]
    public async Task A_download_the_image_service_cannot_continue_is_started_over_with_a_fresh_checksum_and_caches_the_image()
    {
        byte[] data = Bytes(100_000, seed: 1);
        Harness.Images.Add("img", data);
        int opens = 0;
        Harness.Images.StreamFactory = (info, bytes) => Interlocked.Increment(ref opens) == 1
            ? new FailingAfterStream(bytes, 80_000, () => new ImageDownloadRestartException(info.Id, imageChanged: false, "the server sent the data from its first byte"))
            : new MemoryStream(bytes);
        using MetricCollector<long> retries = Harness.Collect(ImageVolumeCacheDiagnostics.DownloadRetries);

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(Harness.Driver.GetVolume(result.CacheEntry!.VolumeId).Data, Is.EqualTo(data));
        Assert.That(Harness.Images.DescribeCount, Is.EqualTo(1), "the same data needs no new description");
        Assert.That(retries.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(Harness.Logs(1120), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_image_that_changed_during_the_download_is_described_again_and_only_its_new_version_is_cached()
    {
        byte[] old = Bytes(100_000, seed: 1);
        byte[] replacement = Bytes(120_000, seed: 2);
        Harness.Images.Add("img", old);
        int opens = 0;
        Harness.Images.StreamFactory = (info, bytes) =>
        {
            if (Interlocked.Increment(ref opens) > 1)
            {
                return new MemoryStream(bytes);
            }

            return new FailingAfterStream(bytes, 80_000, () =>
            {
                Harness.Images.Add("img", replacement, updatedAt: Later);
                return new ImageDownloadRestartException(info.Id, imageChanged: true, "the image was replaced");
            });
        };

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img");

        IReadOnlyList<ImageCacheEntry> entries = await Harness.Store.ListAsync(null, CancellationToken.None);
        Assert.That(entries.Select(e => e.ImageUpdatedAt), Is.EqualTo(new[] { Later }));
        Assert.That(Harness.Driver.GetVolume(result.CacheEntry!.VolumeId).Data, Is.EqualTo(replacement));
        Assert.That(Harness.Driver.GetVolume(result.Volume.Id).Data.Take(replacement.Length), Is.EqualTo(replacement));
        Assert.That(Harness.Driver.Volumes, Has.Count.EqualTo(2), "the cache volume of the old version was deleted");
        Assert.That(Harness.Images.DescribeCount, Is.EqualTo(2));
        Assert.That(Harness.Logs(1121), Has.Count.EqualTo(1));
    }

    [Test]
    public void An_image_that_keeps_changing_fails_the_request_once_the_retries_are_spent_and_leaves_nothing()
    {
        using var harness = new CacheHarness(o => o.DownloadRetries = 1);
        harness.Images.Add("img", Bytes(100_000, seed: 1));
        harness.Images.StreamFactory = (info, bytes) =>
            new FailingAfterStream(bytes, 80_000, () => new ImageDownloadRestartException(info.Id, imageChanged: true, "the image was replaced"));

        var ex = Assert.ThrowsAsync<ImageDownloadRestartException>(async () => await harness.CreateAsync("img"));

        Assert.That(ex!.ImageChanged, Is.True);
        Assert.That(harness.Images.DownloadCount, Is.EqualTo(2));
        Assert.That(harness.Driver.Volumes, Is.Empty);
    }

    [Test]
    public void A_request_context_never_writes_its_auth_token()
    {
        var context = new RequestContext("project", "user") { AuthToken = "secret-token" };

        Assert.That(context.ToString(), Does.Not.Contain("secret-token").And.Contain("project").And.Contain("AuthToken = ***"));
        Assert.That(new RequestContext("project", "user").ToString(), Does.Not.Contain("AuthToken"));
    }

    private static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Serves the first bytes of the data, then throws what the factory makes.</summary>
    private sealed class FailingAfterStream(byte[] data, int failAt, Func<Exception> failure) : MemoryStream(data, writable: false)
    {
        public override int Read(Span<byte> buffer) => base.Read(Limit(buffer.Length) is var n && n > 0 ? buffer[..n] : throw failure());

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        private int Limit(int wanted) => (int)Math.Min(wanted, failAt - Position);
    }
}
