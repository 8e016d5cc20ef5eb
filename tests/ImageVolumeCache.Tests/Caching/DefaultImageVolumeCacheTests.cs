using ImageVolumeCache.Caching;
using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>The cache on its own: EnsureSpace, LRU eviction, limits, pinning, manual removal and notifications.</summary>
public sealed class DefaultImageVolumeCacheTests
{
    private static readonly CacheScope Scope = new(CacheHarness.Backend, null);

    [Test]
    public async Task Unlimited_cache_always_has_room_and_evicts_nothing()
    {
        using var harness = new CacheHarness();
        await SeedAsync(harness, "a", 50);
        await SeedAsync(harness, "b", 50);

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 1000, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await CountAsync(harness), Is.EqualTo(2));
    }

    [Test]
    public async Task Entry_larger_than_max_size_is_refused_and_evicts_nothing()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxSizeGb = 10);
        await SeedAsync(harness, "a", 5);

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 11, CancellationToken.None);

        Assert.That(room, Is.False);
        Assert.That(await CountAsync(harness), Is.EqualTo(1));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.Zero);
    }

    [Test]
    public async Task Count_limit_evicts_the_least_recently_used_entry()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 2);
        ImageCacheEntry a = await SeedAsync(harness, "a", 1);
        await SeedAsync(harness, "b", 1);

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 1, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await ImagesAsync(harness), Is.EqualTo(new[] { "b" }));
        Assert.That(harness.Driver.Exists(a.VolumeId), Is.False);
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
    }

    [Test]
    public async Task Size_limit_evicts_the_least_recently_used_entry()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxSizeGb = 10);
        await SeedAsync(harness, "a", 4);
        await SeedAsync(harness, "b", 4);

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 4, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await ImagesAsync(harness), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public async Task Size_limit_evicts_several_entries_until_the_new_one_fits()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxSizeGb = 10);
        foreach (string image in new[] { "a", "b", "c", "d" })
        {
            await SeedAsync(harness, image, 2);
        }

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 7, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await ImagesAsync(harness), Is.EqualTo(new[] { "d" }));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(3));
    }

    [Test]
    public async Task No_room_when_the_only_entries_are_in_use()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxSizeGb = 10);
        ImageCacheEntry a = await SeedAsync(harness, "a", 8);
        await using CacheEntryLease? pin = await Internal(harness).TryPinAsync(a, Internal(harness).WatchRemovals());

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 4, CancellationToken.None);

        Assert.That(room, Is.False);
        Assert.That(harness.Driver.Exists(a.VolumeId), Is.True);
        Assert.That(harness.Logs(1009), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task No_room_when_the_cache_volumes_cannot_be_deleted_and_the_entries_are_kept()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 1);
        ImageCacheEntry a = await SeedAsync(harness, "a", 1);
        harness.Driver.Fault = call => call.Operation == DriverOperation.Delete ? new IOException("busy") : null;

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 1, CancellationToken.None);

        Assert.That(room, Is.False);
        Assert.That(await harness.Store.FindByVolumeIdAsync(a.VolumeId, CancellationToken.None), Is.Not.Null);
        Assert.That(harness.Logs(1008).Single().Message, Does.Contain(a.VolumeId));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.Zero);
    }

    [Test]
    public async Task Eviction_skips_an_entry_in_use_and_takes_the_next_least_recently_used()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 2);
        ImageCacheEntry a = await SeedAsync(harness, "a", 1);
        await SeedAsync(harness, "b", 1);
        await using CacheEntryLease? pin = await Internal(harness).TryPinAsync(a, Internal(harness).WatchRemovals());

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 1, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await ImagesAsync(harness), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task Lru_order_follows_last_use_not_creation()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 3);
        ImageCacheEntry a = await SeedAsync(harness, "a", 1);
        await SeedAsync(harness, "b", 1);
        await SeedAsync(harness, "c", 1);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        ImageInfo imageA = await harness.Images.GetImageAsync(CacheHarness.User, "a", CancellationToken.None);
        await harness.Cache.GetEntryAsync(Scope, imageA, CancellationToken.None);

        await harness.Cache.EnsureSpaceAsync(Scope, 1, CancellationToken.None);

        Assert.That(await ImagesAsync(harness), Is.EqualTo(new[] { "c", "a" }));
        Assert.That(harness.Driver.Exists(a.VolumeId), Is.True);
    }

    [Test]
    public async Task Zero_count_limit_means_unlimited_while_the_size_limit_still_applies()
    {
        using var harness = new CacheHarness(o => { o.Defaults.MaxCount = 0; o.Defaults.MaxSizeGb = 100; });
        for (int i = 0; i < 20; i++)
        {
            await SeedAsync(harness, "img" + i, 1);
        }

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 1, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await CountAsync(harness), Is.EqualTo(20));
    }

    [Test]
    public async Task Backend_limit_overrides_the_default()
    {
        using var harness = new CacheHarness(o =>
        {
            o.Defaults.MaxCount = 1;
            o.Backends[CacheHarness.Backend] = new BackendCacheOptions { MaxCount = 3 };
        });
        await SeedAsync(harness, "a", 1);
        await SeedAsync(harness, "b", 1);

        bool room = await harness.Cache.EnsureSpaceAsync(Scope, 1, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await CountAsync(harness), Is.EqualTo(2));
    }

    [Test]
    public async Task Limits_apply_to_each_scope_separately()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 1);
        await SeedAsync(harness, "a", 1, new CacheScope("host1@lvm#pool-a", null));

        bool room = await harness.Cache.EnsureSpaceAsync(new CacheScope("host1@lvm#pool-b", null), 1, CancellationToken.None);

        Assert.That(room, Is.True);
        Assert.That(await CountAsync(harness), Is.EqualTo(1));
    }

    [Test]
    public async Task Lookup_sends_one_hit_for_a_current_entry_and_one_miss_otherwise()
    {
        using var harness = new CacheHarness();
        ImageInfo image = harness.AddImage("a");
        await SeedAsync(harness, "a", 1);

        ImageCacheEntry? hit = await harness.Cache.GetEntryAsync(Scope, image, CancellationToken.None);
        ImageCacheEntry? miss = await harness.Cache.GetEntryAsync(Scope, image with { Id = "other" }, CancellationToken.None);

        Assert.That(hit, Is.Not.Null);
        Assert.That(miss, Is.Null);
        Assert.That(harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Hit, ImageVolumeCacheEventTypes.Miss }));
    }

    [Test]
    public async Task Stale_lookup_sends_one_evict_and_one_miss()
    {
        using var harness = new CacheHarness();
        ImageInfo image = harness.AddImage("a");
        ImageCacheEntry entry = await SeedAsync(harness, "a", 1);

        ImageCacheEntry? found = await harness.Cache.GetEntryAsync(Scope, image with { UpdatedAt = image.UpdatedAt.AddSeconds(1) }, CancellationToken.None);

        Assert.That(found, Is.Null);
        Assert.That(harness.Driver.Exists(entry.VolumeId), Is.False);
        Assert.That(harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Evict, ImageVolumeCacheEventTypes.Miss }));
    }

    [Test]
    public async Task Volume_deleted_hook_removes_the_entry_and_sends_one_evict_without_deleting_the_volume_again()
    {
        using var harness = new CacheHarness();
        ImageCacheEntry entry = await SeedAsync(harness, "a", 1);

        bool removed = await harness.Cache.OnVolumeDeletedAsync(entry.VolumeId, CancellationToken.None);
        bool again = await harness.Cache.OnVolumeDeletedAsync(entry.VolumeId, CancellationToken.None);

        Assert.That(removed, Is.True);
        Assert.That(again, Is.False);
        Assert.That(await CountAsync(harness), Is.Zero);
        Assert.That(harness.Driver.CountOf(DriverOperation.Delete), Is.Zero);
        Assert.That(harness.Notifier.Notifications, Is.EqualTo(new[] { new ImageVolumeCacheNotification(ImageVolumeCacheEventTypes.Evict, "a", CacheHarness.Backend, null) }));
    }

    [Test]
    public async Task Volume_deleted_hook_ignores_volumes_that_are_not_cache_volumes()
    {
        using var harness = new CacheHarness();
        await SeedAsync(harness, "a", 1);

        bool removed = await harness.Cache.OnVolumeDeletedAsync("a-user-volume", CancellationToken.None);

        Assert.That(removed, Is.False);
        Assert.That(await CountAsync(harness), Is.EqualTo(1));
        Assert.That(harness.Notifier.Notifications, Is.Empty);
    }

    [Test]
    public async Task Evict_deletes_the_volume_and_notifies_once_however_often_it_is_called()
    {
        using var harness = new CacheHarness();
        ImageCacheEntry entry = await SeedAsync(harness, "a", 1);

        bool first = await harness.Cache.EvictAsync(entry, CancellationToken.None);
        bool second = await harness.Cache.EvictAsync(entry, CancellationToken.None);

        Assert.That(first, Is.True);
        Assert.That(second, Is.False);
        Assert.That(harness.Driver.Exists(entry.VolumeId), Is.False);
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
    }

    [Test]
    public async Task Entry_in_use_is_not_evicted_by_hand()
    {
        using var harness = new CacheHarness();
        ImageCacheEntry entry = await SeedAsync(harness, "a", 1);
        await using CacheEntryLease? pin = await Internal(harness).TryPinAsync(entry, Internal(harness).WatchRemovals());

        bool evicted = await harness.Cache.EvictAsync(entry, CancellationToken.None);

        Assert.That(evicted, Is.False);
        Assert.That(harness.Driver.Exists(entry.VolumeId), Is.True);
        Assert.That(harness.Logs(1007), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Purge_empties_one_scope_and_leaves_the_others()
    {
        using var harness = new CacheHarness();
        var other = new CacheScope("host1@lvm#pool-b", null);
        await SeedAsync(harness, "a", 1);
        await SeedAsync(harness, "b", 1);
        await SeedAsync(harness, "a", 1, other);

        int purged = await harness.Cache.PurgeAsync(Scope.Key, CancellationToken.None);

        Assert.That(purged, Is.EqualTo(2));
        Assert.That((await harness.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ScopeKey), Is.EqualTo(new[] { other.Key }));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(2));
    }

    [Test]
    public async Task Trim_evicts_down_to_the_current_limits()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 2);
        foreach (string image in new[] { "a", "b", "c", "d" })
        {
            await SeedAsync(harness, image, 1);
        }

        int trimmed = await harness.Cache.TrimAsync(Scope, CancellationToken.None);

        Assert.That(trimmed, Is.EqualTo(2));
        Assert.That(await ImagesAsync(harness), Is.EqualTo(new[] { "c", "d" }));
    }

    [Test]
    public async Task Creating_an_entry_for_an_image_the_scope_already_holds_returns_null()
    {
        using var harness = new CacheHarness();
        ImageInfo image = harness.AddImage("a");
        await harness.Cache.CreateEntryAsync(Scope, image, "vol-1", 1, CancellationToken.None);

        ImageCacheEntry? second = await harness.Cache.CreateEntryAsync(Scope, image, "vol-2", 1, CancellationToken.None);

        Assert.That(second, Is.Null);
    }

    [Test]
    public async Task Find_by_volume_id_returns_the_entry_of_a_cache_volume()
    {
        using var harness = new CacheHarness();
        ImageCacheEntry entry = await SeedAsync(harness, "a", 1);

        ImageCacheEntry? found = await harness.Cache.FindByVolumeIdAsync(entry.VolumeId, CancellationToken.None);

        Assert.That(found, Is.EqualTo(entry));
    }

    [Test]
    public void Cache_is_off_for_a_backend_that_turns_it_off_and_on_for_others()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.OtherBackend] = new BackendCacheOptions { Enabled = false });

        Assert.That(harness.Cache.IsEnabled(CacheHarness.Backend), Is.True);
        Assert.That(harness.Cache.IsEnabled(CacheHarness.OtherBackend), Is.False);
    }

    /// <summary>Makes a cache volume on the driver and records its entry, one minute after the previous one.</summary>
    [Test]
    public async Task Ensure_space_for_nothing_is_true_as_in_cinder()
    {
        using var unlimited = new CacheHarness();
        using var limited = new CacheHarness(o => o.Defaults.MaxSizeGb = 4);
        await SeedAsync(limited, "a", 4);

        Assert.That(await unlimited.Cache.EnsureSpaceAsync(Scope, 0, CancellationToken.None), Is.True);
        Assert.That(await limited.Cache.EnsureSpaceAsync(Scope, 0, CancellationToken.None), Is.True);
        Assert.That(await CountAsync(limited), Is.EqualTo(1), "nothing is evicted to make room for nothing");
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limited.Cache.EnsureSpaceAsync(Scope, -1, CancellationToken.None));
    }

    [Test]
    public async Task Cluster_hit_is_announced_with_the_host_of_the_entry_as_in_cinder()
    {
        using var harness = new CacheHarness();
        harness.AddImage("img");
        await harness.CreateAsync("img", host: "host1@lvm#pool-a", cluster: "cluster-1");
        harness.Notifier.Clear();

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", host: "host1@lvm#pool-b", cluster: "cluster-1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(harness.Notifier.Notifications, Is.EqualTo(new[]
        {
            new ImageVolumeCacheNotification(ImageVolumeCacheEventTypes.Hit, "img", "host1@lvm#pool-a", "cluster-1"),
        }));
    }

    private static async Task<ImageCacheEntry> SeedAsync(CacheHarness harness, string imageId, int sizeGb, CacheScope? scope = null)
    {
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        CacheScope s = scope ?? Scope;
        ImageInfo image = harness.AddImage(imageId);
        string volumeId = $"cache-{imageId}-{s.Key}";
        harness.Driver.Seed(CacheHarness.CacheVolume(volumeId, s.Host, sizeGb, imageId, image.UpdatedAt), []);
        ImageCacheEntry? entry = await harness.Cache.CreateEntryAsync(s, image, volumeId, sizeGb, CancellationToken.None);
        return entry!;
    }

    private static DefaultImageVolumeCache Internal(CacheHarness harness) => harness.Services.GetRequiredService<DefaultImageVolumeCache>();

    private static async Task<int> CountAsync(CacheHarness harness) => (await harness.Store.ListAsync(null, CancellationToken.None)).Count;

    private static async Task<string[]> ImagesAsync(CacheHarness harness) =>
        (await harness.Store.ListAsync(Scope.Key, CancellationToken.None)).Select(e => e.ImageId).ToArray();
}
