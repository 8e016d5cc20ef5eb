using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// An entry is a claim read from a store that someone else may have written: the cache clones from, adopts or deletes
/// its volume only when the backend says it is a cache volume of the internal tenant holding that image.
/// </summary>
public sealed class EntryTrustTests : HarnessTestBase
{
    private static readonly byte[] UsersData = [7, 7, 7, 7];

    [Test]
    public async Task Entry_pointing_at_a_users_volume_is_never_cloned_from_and_is_dropped_on_lookup()
    {
        ImageInfo image = Harness.AddImage("img");
        await TamperAsync(image, "users-volume");

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(Harness.Driver.Calls.Where(c => c.SourceVolumeId == "users-volume"), Is.Empty);
        Assert.That(Harness.Driver.GetVolume("v1").ClonedFromVolumeId, Is.EqualTo(result.CacheEntry!.VolumeId));
        AssertUsersVolumeUntouched();
        Assert.That(Harness.Logs(1060), Has.Count.EqualTo(1));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Hit), Is.Zero);
    }

    [Test]
    public async Task Eviction_of_an_entry_pointing_at_a_users_volume_drops_the_entry_and_keeps_the_volume()
    {
        ImageInfo image = Harness.AddImage("img");
        ImageCacheEntry entry = await TamperAsync(image, "users-volume");

        bool evicted = await Harness.Cache.EvictAsync(entry, CancellationToken.None);

        Assert.That(evicted, Is.True);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        AssertUsersVolumeUntouched();
    }

    [Test]
    public async Task Purge_and_stale_replacement_never_delete_a_users_volume()
    {
        ImageInfo image = Harness.AddImage("img");
        await TamperAsync(image, "users-volume");
        Harness.Images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddDays(1) });

        await Harness.CreateAsync("img", volumeId: "v1");
        await Harness.Cache.PurgeAsync(CacheHarness.Backend, CancellationToken.None);

        AssertUsersVolumeUntouched();
    }

    [Test]
    public async Task Reconciliation_drops_an_entry_pointing_at_a_users_volume_and_leaves_the_volume()
    {
        ImageInfo image = Harness.AddImage("img");
        await TamperAsync(image, "users-volume");

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(CacheHarness.Backend, CancellationToken.None);

        Assert.That(result.EntriesUntrusted, Is.EqualTo(1));
        Assert.That(result.VolumesDeleted, Is.Zero);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        AssertUsersVolumeUntouched();
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
    }

    [Test]
    public async Task Entry_pointing_at_a_cache_volume_of_another_image_is_not_trusted()
    {
        ImageInfo a = Harness.AddImage("a");
        ImageInfo b = Harness.AddImage("b", sizeBytes: 8192);
        ImageCacheEntry bEntry = (await Harness.CreateAsync("b")).CacheEntry!;
        await Harness.Store.RemoveAsync(bEntry.Id, CancellationToken.None);
        await TamperAsync(a, bEntry.VolumeId, alsoSeed: false);

        CreateVolumeFromImageResult result = await Harness.CreateAsync("a", volumeId: "v1");

        Assert.That(Harness.Driver.GetVolume("v1").Data, Has.Length.EqualTo(a.SizeBytes), "the volume holds image a, not b");
        Assert.That(result.CacheEntry!.VolumeId, Is.Not.EqualTo(bEntry.VolumeId));
        Assert.That(Harness.Driver.Exists(bEntry.VolumeId), Is.True);
        Assert.That(b.SizeBytes, Is.Not.EqualTo(a.SizeBytes));
    }

    [Test]
    public async Task Entry_made_through_the_public_api_for_a_users_volume_is_checked_before_use()
    {
        ImageInfo image = Harness.AddImage("img");
        Harness.Driver.Seed(new VolumeSpec("users-volume", CacheHarness.Backend, 1) { ProjectId = "victim", UserId = "victim-user" }, UsersData);
        await Harness.Cache.CreateEntryAsync(new CacheScope(CacheHarness.Backend, null), image, "users-volume", 1, CancellationToken.None);

        await Harness.CreateAsync("img", volumeId: "v1");
        await Harness.Cache.PurgeAsync(CacheHarness.Backend, CancellationToken.None);

        Assert.That(Harness.Driver.Calls.Where(c => c.SourceVolumeId == "users-volume"), Is.Empty);
        AssertUsersVolumeUntouched();
    }

    /// <summary>Writes an entry for the image that names <paramref name="volumeId"/>, as a tampered or stale store would hold it.</summary>
    private async Task<ImageCacheEntry> TamperAsync(ImageInfo image, string volumeId, bool alsoSeed = true)
    {
        if (alsoSeed && !Harness.Driver.Exists(volumeId))
        {
            Harness.Driver.Seed(new VolumeSpec(volumeId, CacheHarness.Backend, 1) { ProjectId = "victim", UserId = "victim-user" }, UsersData);
        }

        DateTimeOffset now = Harness.Time.GetUtcNow();
        var entry = new ImageCacheEntry(0, CacheHarness.Backend, CacheHarness.Backend, null, image.Id, image.UpdatedAt, volumeId, 1, now, now);
        return (await Harness.Store.TryAddAsync(entry, CancellationToken.None))!;
    }

    private void AssertUsersVolumeUntouched()
    {
        Assert.That(Harness.Driver.Exists("users-volume"), Is.True, "the user's volume is never deleted");
        Assert.That(Harness.Driver.GetVolume("users-volume").Data, Is.EqualTo(UsersData));
        Assert.That(Harness.Driver.Calls.Where(c => c.VolumeId == "users-volume" && c.Operation is DriverOperation.Delete or DriverOperation.CopyImage or DriverOperation.Extend), Is.Empty);
    }
}
