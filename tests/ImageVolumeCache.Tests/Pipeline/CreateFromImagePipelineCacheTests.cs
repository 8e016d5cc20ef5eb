using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>The cache step of the pipeline: miss, hit, stale, scopes and notifications.</summary>
public sealed class CreateFromImagePipelineCacheTests : HarnessTestBase
{
    [Test]
    public async Task Miss_creates_exactly_one_entry_whose_volume_belongs_to_the_internal_tenant()
    {
        Harness.AddImage("img");

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        IReadOnlyList<ImageCacheEntry> entries = await Harness.Store.ListAsync(null, CancellationToken.None);
        Assert.That(entries, Has.Count.EqualTo(1));
        VolumeSpec cacheVolume = Harness.Driver.GetVolume(entries[0].VolumeId).Spec;
        Assert.That(cacheVolume.ProjectId, Is.EqualTo(CacheHarness.InternalProject));
        Assert.That(cacheVolume.UserId, Is.EqualTo(CacheHarness.InternalUser));
        Assert.That(cacheVolume.Metadata[CacheVolumeMetadata.CacheVolume], Is.EqualTo("true"));
        Assert.That(cacheVolume.Metadata[CacheVolumeMetadata.ImageId], Is.EqualTo("img"));
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(result.CacheEntry, Is.EqualTo(entries[0]));
    }

    [Test]
    public async Task Miss_sizes_the_cache_volume_to_the_images_minimal_size_not_the_requested_size()
    {
        Harness.AddImage("img", virtualSizeBytes: (2 * CacheHarness.GiB) + 1);

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", sizeGb: 10);

        Assert.That(result.CacheEntry!.SizeGb, Is.EqualTo(3));
        Assert.That(Harness.Driver.GetVolume(result.CacheEntry.VolumeId).Spec.SizeGb, Is.EqualTo(3));
        Assert.That(Harness.Driver.GetVolume(result.Volume.Id).Spec.SizeGb, Is.EqualTo(10));
    }

    [Test]
    public async Task Miss_clones_the_target_from_the_cache_volume_and_never_the_reverse()
    {
        ImageInfo image = Harness.AddImage("img");

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        string cacheVolumeId = result.CacheEntry!.VolumeId;
        Assert.That(Harness.Driver.GetVolume("v1").ClonedFromVolumeId, Is.EqualTo(cacheVolumeId));
        Assert.That(Harness.Driver.GetVolume(cacheVolumeId).ClonedFromVolumeId, Is.Null);
        Assert.That(Harness.Driver.Calls.Where(c => c.SourceVolumeId == "v1"), Is.Empty);
        Assert.That(Harness.Driver.GetVolume("v1").Data, Has.Length.EqualTo(image.SizeBytes));
    }

    [Test]
    public async Task Hit_clones_the_cached_volume_without_downloading_again()
    {
        Harness.AddImage("img");
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img");

        CreateVolumeFromImageResult second = await Harness.CreateAsync("img", volumeId: "v2");

        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(1));
        Assert.That(Harness.Driver.GetVolume("v2").ClonedFromVolumeId, Is.EqualTo(first.CacheEntry!.VolumeId));
        Assert.That(second.CacheEntry!.Id, Is.EqualTo(first.CacheEntry.Id));
    }

    [Test]
    public async Task Hit_extends_the_clone_when_the_request_is_larger_than_the_cached_size()
    {
        Harness.AddImage("img");
        await Harness.CreateAsync("img");

        await Harness.CreateAsync("img", sizeGb: 5, volumeId: "v2");

        Assert.That(Harness.Driver.Calls.Where(c => c.VolumeId == "v2").Select(c => (c.Operation, c.SizeGb)), Is.EqualTo(new[]
        {
            (DriverOperation.TryCloneImage, 5), (DriverOperation.Clone, 1), (DriverOperation.Extend, 5),
        }));
        Assert.That(Harness.Driver.GetVolume("v2").Spec.SizeGb, Is.EqualTo(5));
    }

    [Test]
    public async Task Hit_does_not_extend_when_the_request_equals_the_cached_size()
    {
        Harness.AddImage("img");
        await Harness.CreateAsync("img");

        await Harness.CreateAsync("img", sizeGb: 1, volumeId: "v2");

        Assert.That(Harness.Driver.Calls.Where(c => c.VolumeId == "v2" && c.Operation == DriverOperation.Extend), Is.Empty);
    }

    [Test]
    public async Task Hit_touches_the_entry()
    {
        Harness.AddImage("img");
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img");
        Harness.Time.Advance(TimeSpan.FromHours(1));

        await Harness.CreateAsync("img");

        ImageCacheEntry? entry = await Harness.Store.GetAsync(CacheHarness.Backend, "img", CancellationToken.None);
        Assert.That(entry!.LastUsed, Is.EqualTo(first.CacheEntry!.LastUsed + TimeSpan.FromHours(1)));
    }

    [Test]
    public async Task Stale_entry_is_evicted_then_recreated_from_the_new_image()
    {
        Harness.AddImage("img", updatedAt: InMemoryImageService.DefaultUpdatedAt);
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img");
        DateTimeOffset newer = InMemoryImageService.DefaultUpdatedAt.AddDays(1);
        Harness.AddImage("img", sizeBytes: 8192, updatedAt: newer);
        Harness.Notifier.Clear();

        CreateVolumeFromImageResult second = await Harness.CreateAsync("img", volumeId: "v2");

        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(second.CacheEntry!.ImageUpdatedAt, Is.EqualTo(newer));
        Assert.That(Harness.Driver.Exists(first.CacheEntry!.VolumeId), Is.False);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.EqualTo(new[] { second.CacheEntry }));
        Assert.That(Harness.Driver.GetVolume("v2").Data, Has.Length.EqualTo(8192));
        Assert.That(Harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Evict, ImageVolumeCacheEventTypes.Miss }));
    }

    [Test]
    public async Task Staleness_compares_instants_whatever_the_offset()
    {
        DateTimeOffset utc = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        Harness.AddImage("img", updatedAt: utc);
        await Harness.CreateAsync("img");
        Harness.Images.Update("img", i => i with { UpdatedAt = utc.ToOffset(TimeSpan.FromHours(2)) });

        CreateVolumeFromImageResult second = await Harness.CreateAsync("img");

        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
    }

    [Test]
    public async Task Pools_of_one_backend_have_their_own_entries()
    {
        Harness.AddImage("img");

        CreateVolumeFromImageResult a = await Harness.CreateAsync("img", host: "host1@lvm#pool-a");
        CreateVolumeFromImageResult b = await Harness.CreateAsync("img", host: "host1@lvm#pool-b");

        Assert.That(a.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(b.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That((await Harness.Store.ListAsync(null, CancellationToken.None)).Select(e => e.ScopeKey), Is.EqualTo(new[] { "host1@lvm#pool-a", "host1@lvm#pool-b" }));
    }

    [Test]
    public async Task Hosts_of_one_cluster_share_the_clusters_entries()
    {
        Harness.AddImage("img");

        await Harness.CreateAsync("img", host: "host1@lvm#pool-a", cluster: "cluster1@lvm");
        CreateVolumeFromImageResult second = await Harness.CreateAsync("img", host: "host1@lvm#pool-b", cluster: "cluster1@lvm");

        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(second.CacheEntry!.ScopeKey, Is.EqualTo("cluster1@lvm"));
    }

    [Test]
    public async Task Backends_have_separate_caches()
    {
        Harness.AddImage("img");
        await Harness.CreateAsync("img");

        CreateVolumeFromImageResult other = await Harness.CreateAsync("img", host: CacheHarness.OtherBackend);

        Assert.That(other.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(Harness.OtherDriver.Exists(other.CacheEntry!.VolumeId), Is.True);
    }

    [Test]
    public async Task Notifications_carry_the_image_host_and_cluster()
    {
        Harness.AddImage("img");

        await Harness.CreateAsync("img", host: "host1@lvm#pool-a", cluster: "cluster1@lvm");

        Assert.That(Harness.Notifier.Notifications, Is.EqualTo(new[]
        {
            new ImageVolumeCacheNotification(ImageVolumeCacheEventTypes.Miss, "img", "host1@lvm#pool-a", "cluster1@lvm"),
        }));
    }

    [Test]
    public async Task Each_lookup_sends_exactly_one_hit_or_miss()
    {
        Harness.AddImage("img");

        await Harness.CreateAsync("img");
        await Harness.CreateAsync("img");
        await Harness.CreateAsync("img");

        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.EqualTo(1));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Hit), Is.EqualTo(2));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.Zero);
    }

    [Test]
    public async Task Eviction_to_make_room_sends_one_evict_per_entry_removed()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 1);
        harness.AddImage("a");
        harness.AddImage("b");
        CreateVolumeFromImageResult first = await harness.CreateAsync("a");

        CreateVolumeFromImageResult second = await harness.CreateAsync("b");

        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(harness.Driver.Exists(first.CacheEntry!.VolumeId), Is.False);
        Assert.That(harness.Notifier.Notifications.Select(n => (n.EventType, n.ImageId)), Is.EqualTo(new[]
        {
            (ImageVolumeCacheEventTypes.Miss, "a"), (ImageVolumeCacheEventTypes.Miss, "b"), (ImageVolumeCacheEventTypes.Evict, "a"),
        }));
    }

    [Test]
    public async Task Image_larger_than_the_whole_cache_is_downloaded_and_evicts_nothing()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxSizeGb = 2);
        harness.AddImage("small");
        harness.AddImage("big", virtualSizeBytes: 3 * CacheHarness.GiB);
        await harness.CreateAsync("small");

        CreateVolumeFromImageResult result = await harness.CreateAsync("big", sizeGb: 3);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That((await harness.Store.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "small" }));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.Zero);
        Assert.That(harness.Driver.Volumes, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Clone_limit_on_a_hit_evicts_the_entry_and_retries_once_as_a_miss()
    {
        Harness.Driver.CloneLimit = 1;
        Harness.AddImage("img");
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img");
        Harness.Notifier.Clear();

        CreateVolumeFromImageResult second = await Harness.CreateAsync("img", volumeId: "v2");

        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(second.CacheEntry!.VolumeId, Is.Not.EqualTo(first.CacheEntry!.VolumeId));
        Assert.That(Harness.Driver.Exists(first.CacheEntry.VolumeId), Is.False);
        Assert.That(Harness.Driver.GetVolume("v2").ClonedFromVolumeId, Is.EqualTo(second.CacheEntry.VolumeId));
        Assert.That(Harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[]
        {
            ImageVolumeCacheEventTypes.Hit, ImageVolumeCacheEventTypes.Evict, ImageVolumeCacheEventTypes.Miss,
        }));
        Assert.That(Harness.Driver.Volumes, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Cache_volume_lost_behind_the_caches_back_is_forgotten_and_made_again()
    {
        Harness.AddImage("img");
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img");
        Harness.Driver.Lose(first.CacheEntry!.VolumeId);

        CreateVolumeFromImageResult second = await Harness.CreateAsync("img", volumeId: "v2");

        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(await Harness.Store.FindByVolumeIdAsync(first.CacheEntry.VolumeId, CancellationToken.None), Is.Null);
        Assert.That(Harness.Driver.Exists("v2"), Is.True);
    }
}
