using ImageVolumeCache.Glance.Tests.Support;

namespace ImageVolumeCache.Glance.Tests.Pipeline;

/// <summary>
/// Interruptions of a 16 MiB download through the whole cache: a stalled connection resumes where it stopped, a server
/// that sends the whole data again makes the download start over with a fresh checksum, and the bytes fetched twice are
/// counted.
/// </summary>
[NonParallelizable]
public sealed class DownloadInterruptionTests : NginxFixture
{
    private const int Size = 16 * RandomImageFile.MiB;
    private const int Half = Size / 2;

    [Test]
    public async Task A_server_that_answers_200_to_a_range_makes_the_download_start_over_from_zero_and_the_bytes_fetched_twice_are_counted()
    {
        GlanceImageFile image = Shelf.Publish("norange-image", RandomImageFile.Bytes(Size, seed: 3), GlanceShelf.FirstVersion);
        await using var proxy = new DropProxy(Nginx.Port);
        proxy.DropAt(Half);
        await using var cache = new GlanceCache(proxy.Endpoint);

        CreateVolumeFromImageResult result = await cache.CreateAsync(image.Id, "volume-1");

        long refetched = cache.Refetched.GetMeasurementSnapshot().Sum(m => m.Value);
        Assert.That(cache.VolumeSha512(result.CacheEntry!.VolumeId, Size), Is.EqualTo(image.Sha512));
        Assert.That(cache.VolumeSha512("volume-1", Size), Is.EqualTo(image.Sha512));
        Assert.That(cache.ResumesWith("restarted"), Is.EqualTo(1));
        Assert.That(refetched, Is.InRange(Half - (64 * 1024), Half), "the bytes read before the drop, fetched again");
        Assert.That(proxy.BytesToClient, Is.GreaterThan(Size + Half), "the whole image after half of it");
    }

    [Test]
    public async Task A_stalled_connection_is_abandoned_after_half_the_stall_timeout_and_resumed_where_it_stopped()
    {
        GlanceImageFile image = Shelf.Publish("image-stalled", RandomImageFile.Bytes(Size, seed: 4), GlanceShelf.FirstVersion);
        await using var proxy = new DropProxy(Nginx.Port);
        proxy.StallAt(Half);
        await using var cache = new GlanceCache(proxy.Endpoint, options => options.DownloadStallTimeout = TimeSpan.FromSeconds(2));

        CreateVolumeFromImageResult result = await cache.CreateAsync(image.Id, "volume-1");

        Assert.That(cache.VolumeSha512(result.CacheEntry!.VolumeId, Size), Is.EqualTo(image.Sha512));
        Assert.That(cache.ResumesWith("resumed"), Is.EqualTo(1));
        Assert.That(cache.Refetched.GetMeasurementSnapshot(), Is.Empty);
        Assert.That(proxy.BytesToClient, Is.LessThan(Size + (64 * 1024)), "nothing fetched twice");
    }

    [Test]
    public async Task A_download_that_is_not_interrupted_reads_the_image_in_one_request()
    {
        GlanceImageFile image = Shelf.Publish("image-plain", RandomImageFile.Bytes(Size, seed: 5), GlanceShelf.FirstVersion);
        await using var proxy = new DropProxy(Nginx.Port);
        await using var cache = new GlanceCache(proxy.Endpoint);

        CreateVolumeFromImageResult result = await cache.CreateAsync(image.Id, "volume-1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(cache.VolumeSha512("volume-1", Size), Is.EqualTo(image.Sha512));
        Assert.That(cache.Resumes.GetMeasurementSnapshot(), Is.Empty);
    }

    [Test]
    public async Task A_download_interrupted_more_times_in_a_row_than_the_retries_allow_without_new_data_fails_naming_the_offset_and_leaves_nothing()
    {
        GlanceImageFile image = Shelf.Publish("image-gone", RandomImageFile.Bytes(Size, seed: 6), GlanceShelf.FirstVersion);
        await using var proxy = new DropProxy(Nginx.Port);
        proxy.DropAt(Half, before: proxy.RefuseConnections);
        await using var cache = new GlanceCache(proxy.Endpoint, options => options.DownloadRetries = 2);

        var ex = Assert.ThrowsAsync<IOException>(async () => await cache.CreateAsync(image.Id, "volume-1"));

        Assert.That(ex!.Message, Does.Contain("image-gone").And.Contain("3 times in a row without new data"));
        Assert.That(Directory.EnumerateFileSystemEntries(cache.VolumesFolder), Is.Empty);
        Assert.That(await cache.EntriesAsync(), Is.Empty);
    }
}
