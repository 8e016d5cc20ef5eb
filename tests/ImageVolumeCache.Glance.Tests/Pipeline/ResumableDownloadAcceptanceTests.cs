using ImageVolumeCache.Glance.Tests.Support;

namespace ImageVolumeCache.Glance.Tests.Pipeline;

/// <summary>
/// A 256 MiB image through the whole cache (file-system backend), from nginx behind a proxy that drops the connection:
/// the download resumes where it stopped, or starts over from zero with the new version when the image was replaced.
/// </summary>
[NonParallelizable]
public sealed class ResumableDownloadAcceptanceTests
{
    private const long Size = 256L * RandomImageFile.MiB;
    private TemporaryDirectory _sources = null!;
    private NginxServer _nginx = null!;
    private GlanceShelf _shelf = null!;
    private string _first = null!;
    private string _second = null!;

    [OneTimeSetUp]
    public void WriteImagesAndStartNginx()
    {
        _nginx = NginxServer.Start();
        _shelf = new GlanceShelf(_nginx);
        _sources = new TemporaryDirectory();
        _first = RandomImageFile.Write(_sources.Combine("first.raw"), Size, seed: 1);
        _second = RandomImageFile.Write(_sources.Combine("second.raw"), Size, seed: 2);
    }

    [OneTimeTearDown]
    public void StopNginx()
    {
        _nginx?.Dispose();
        _sources?.Dispose();
    }

    [Test]
    public async Task A_download_dropped_at_30_60_and_90_percent_resumes_each_time_and_makes_one_verified_volume_fetching_at_most_105_percent()
    {
        GlanceImageFile image = _shelf.Publish("image-dropped", _first, GlanceShelf.FirstVersion);
        await using var proxy = new DropProxy(_nginx.Port);
        proxy.DropAt(Size * 3 / 10);
        proxy.DropAt(Size * 6 / 10);
        proxy.DropAt(Size * 9 / 10);
        await using var cache = new GlanceCache(proxy.Endpoint);

        CreateVolumeFromImageResult result = await cache.CreateAsync(image.Id, "volume-1");

        IReadOnlyList<ImageCacheEntry> entries = await cache.EntriesAsync();
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(entries, Has.Count.EqualTo(1));
        Assert.That(Directory.EnumerateFiles(cache.VolumesFolder, "*.img").Count(), Is.EqualTo(2), "the cache volume and the user's volume, nothing else");
        Assert.That(cache.VolumeSha512(entries[0].VolumeId, Size), Is.EqualTo(image.Sha512));
        Assert.That(cache.VolumeSha512("volume-1", Size), Is.EqualTo(image.Sha512));
        Assert.That(cache.ResumesWith("resumed"), Is.EqualTo(3));
        Assert.That(cache.ResumesWith("restarted") + cache.ResumesWith("changed"), Is.Zero);
        Assert.That(proxy.BytesToClient, Is.LessThanOrEqualTo((long)(Size * 1.05)), $"fetched {proxy.BytesToClient} bytes for an image of {Size}");
    }

    [Test]
    public async Task An_image_replaced_between_the_drop_and_the_resume_is_downloaded_again_from_zero_and_only_the_new_version_is_cached()
    {
        GlanceImageFile first = _shelf.Publish("image-replaced", _first, GlanceShelf.FirstVersion);
        GlanceImageFile? second = null;
        await using var proxy = new DropProxy(_nginx.Port);
        proxy.DropAt(Size * 3 / 10, before: () => second = _shelf.Publish("image-replaced", _second, GlanceShelf.SecondVersion));
        await using var cache = new GlanceCache(proxy.Endpoint);

        CreateVolumeFromImageResult result = await cache.CreateAsync(first.Id, "volume-1");

        IReadOnlyList<ImageCacheEntry> entries = await cache.EntriesAsync();
        Assert.That(second, Is.Not.Null);
        Assert.That(second!.Sha512, Is.Not.EqualTo(first.Sha512));
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(entries.Select(e => e.ImageUpdatedAt), Is.EqualTo(new[] { GlanceShelf.SecondVersion }), "one entry, of the new version");
        Assert.That(cache.VolumeSha512(entries[0].VolumeId, Size), Is.EqualTo(second.Sha512));
        Assert.That(cache.VolumeSha512("volume-1", Size), Is.EqualTo(second.Sha512));
        Assert.That(Directory.EnumerateFiles(cache.VolumesFolder, "*.img").Count(), Is.EqualTo(2), "the old version's cache volume was deleted");
        Assert.That(cache.ResumesWith("changed"), Is.EqualTo(1));
        Assert.That(proxy.BytesToClient, Is.InRange(Size * 13 / 10, (long)(Size * 1.35)), "30% of the old version, then the whole new one from its first byte");
    }
}
