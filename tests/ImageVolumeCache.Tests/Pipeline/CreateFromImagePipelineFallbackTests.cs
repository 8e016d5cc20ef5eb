using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>When a cache volume cannot be cloned, the request is served by a download and the cache pays only for itself.</summary>
public sealed class CreateFromImagePipelineFallbackTests : HarnessTestBase
{
    [Test]
    public async Task Leader_whose_new_cache_volume_vanishes_before_its_clone_downloads_instead()
    {
        ImageInfo image = Harness.AddImage("img");
        Harness.Driver.Delay = (call, _) =>
        {
            // Another process sharing the store evicts the new entry's volume between the fill and this request's clone.
            if (call.Operation == DriverOperation.Clone && call.VolumeId == "v1")
            {
                Harness.Driver.Lose(call.SourceVolumeId!);
            }

            return ValueTask.CompletedTask;
        };

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(Harness.Driver.GetVolume("v1").Data, Has.Length.EqualTo(image.SizeBytes));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty, "the entry of the lost volume is removed");
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.EqualTo(1));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
        Assert.That(Harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EqualTo(new[] { "v1" }));
    }

    [Test]
    public async Task Hit_whose_clone_fails_downloads_into_the_target_and_keeps_the_entry()
    {
        ImageInfo image = Harness.AddImage("img");
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img", volumeId: "earlier");
        Harness.Driver.Fault = call => call.Operation == DriverOperation.Clone && call.VolumeId == "v1" ? new NotSupportedException("clones are off today") : null;
        Harness.Notifier.Clear();

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.Download));
        Assert.That(Harness.Driver.GetVolume("v1").Data, Has.Length.EqualTo(image.SizeBytes));
        Assert.That((await Harness.Store.ListAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EqualTo(new[] { first.CacheEntry!.Id }));
        Assert.That(Harness.Driver.Exists(first.CacheEntry.VolumeId), Is.True);
        Assert.That(Harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Hit }));
        Assert.That(Harness.Logs(1062), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Leader_whose_clone_fails_downloads_into_the_target_and_keeps_the_entry()
    {
        Harness.AddImage("img");
        Harness.Driver.Fault = call => call.Operation == DriverOperation.Clone ? new IOException("clone failed") : null;

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        IReadOnlyList<ImageCacheEntry> entries = await Harness.Store.ListAsync(null, CancellationToken.None);
        Assert.That(entries, Has.Count.EqualTo(1));
        Assert.That(Harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EquivalentTo(new[] { entries[0].VolumeId, "v1" }));
    }

    [Test]
    public async Task Stale_entry_that_cannot_be_deleted_costs_only_its_own_slot()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 2);
        harness.AddImage("a");
        harness.AddImage("c");
        ImageCacheEntry a = (await harness.CreateAsync("a")).CacheEntry!;
        ImageCacheEntry c = (await harness.CreateAsync("c")).CacheEntry!;
        harness.Driver.Fault = call => call.Operation == DriverOperation.Delete && call.VolumeId == a.VolumeId ? new IOException("volume busy") : null;
        harness.Images.Update("a", i => i with { UpdatedAt = i.UpdatedAt.AddDays(1) });
        int downloadsBefore = harness.Images.DownloadCount;

        CreateVolumeFromImageResult result = await harness.CreateAsync("a", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(harness.Images.DownloadCount - downloadsBefore, Is.EqualTo(1), "one download, into the target");
        Assert.That((await harness.Store.ListAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(new[] { a.Id, c.Id }), "the unrelated entry stays");
        Assert.That(harness.Driver.Exists(c.VolumeId), Is.True);
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.Zero);
    }

    [Test]
    public async Task Entry_whose_volume_is_gone_but_which_another_request_still_pins_starts_no_fill_and_is_downloaded_around()
    {
        ImageInfo image = Harness.AddImage("img");
        ImageCacheEntry entry = (await Harness.CreateAsync("img", volumeId: "earlier")).CacheEntry!;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Driver.Delay = async (call, ct) =>
        {
            if (call.Operation == DriverOperation.Clone && call.VolumeId == "held")
            {
                await release.Task.WaitAsync(ct);
            }
        };
        Task<CreateVolumeFromImageResult> held = Harness.CreateAsync("img", volumeId: "held").AsTask();
        await Harness.Driver.WaitForCallAsync(c => c.Operation == DriverOperation.Clone && c.VolumeId == "held", CancellationToken.None);
        Harness.Driver.Lose(entry.VolumeId);
        Harness.Notifier.Clear();
        int downloadsBefore = Harness.Images.DownloadCount;

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");
        string[] sent = [.. Harness.Notifier.Notifications.Select(n => n.EventType)];
        int downloads = Harness.Images.DownloadCount - downloadsBefore;
        release.SetResult();
        await held;

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.Download));
        Assert.That(Harness.Driver.GetVolume("v1").Data, Has.Length.EqualTo(image.SizeBytes));
        Assert.That(downloads, Is.EqualTo(1), "one download, into the volume; no fill that could not be recorded");
        Assert.That(sent, Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Hit }), "one lookup, one hit; the entry is not looked up again");
    }
}
