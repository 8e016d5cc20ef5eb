using System.Globalization;
using System.Text.Json;

namespace ImageVolumeCache.Cli.Tests;

/// <summary><c>ivc evict</c> and <c>ivc purge</c> evict as the cache does: the cache volume deleted and the entry removed.</summary>
public sealed class EvictionTests
{
    [Test]
    public async Task Evict_by_entry_deletes_its_cache_volume_and_entry_and_a_second_evict_finds_nothing()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");
        ImageCacheEntry a = (await host.Cache.ListAsync(null, CancellationToken.None)).Single(e => e.ImageId == "image-a");
        string id = a.Id.ToString(CultureInfo.InvariantCulture);

        IvcResult evicted = await host.IvcAsync("evict", "--entry", id);
        IvcResult again = await host.IvcAsync("evict", "--entry", id);

        Assert.That(evicted.ExitCode, Is.Zero, evicted.ToString());
        Assert.That(evicted.Output, Does.Contain($"Evicted entry {id}: image image-a, volume {a.VolumeId}"));
        Assert.That(File.Exists(Path.Combine(host.Volumes, a.VolumeId + ".img")), Is.False, "the cache volume is deleted");
        Assert.That((await host.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "image-b" }));
        Assert.That(File.Exists(Path.Combine(host.Volumes, "vol-1.img")), Is.True, "the user's volume is not the cache's to touch");
        Assert.That(again.ExitCode, Is.EqualTo(3), again.ToString());
        Assert.That(again.Error, Does.Contain($"There is no entry {id}."));
    }

    [Test]
    public async Task Evict_by_image_evicts_that_image_s_entries_and_no_other()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");

        IvcResult result = await host.IvcAsync("evict", "--image", "image-b", "--json");
        IvcResult none = await host.IvcAsync("evict", "--image", "image-c");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument document = JsonDocument.Parse(result.Output);
        Assert.That(document.RootElement.GetProperty("evicted").EnumerateArray().Select(e => e.GetProperty("imageId").GetString()), Is.EqualTo(new[] { "image-b" }));
        Assert.That(document.RootElement.GetProperty("left").GetArrayLength(), Is.Zero);
        Assert.That((await host.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "image-a" }));
        Assert.That(none.ExitCode, Is.EqualTo(3), none.ToString());
    }

    [Test]
    public async Task An_entry_a_host_cloned_from_within_its_pin_linger_is_left_by_evict_and_evicted_once_the_linger_is_over()
    {
        await using CachedHost host = await CachedHost.StartAsync(pinLinger: TimeSpan.FromSeconds(30));
        await host.AddImageAsync("image-a");
        ImageCacheEntry entry = (await host.CreateAsync("vol-1", "image-a")).CacheEntry!;
        string id = entry.Id.ToString(CultureInfo.InvariantCulture);

        IvcResult during = await host.IvcAsync("evict", "--entry", id);
        await host.DisposeServicesAsync();
        IvcResult after = await host.IvcAsync("evict", "--entry", id);
        IvcResult again = await host.IvcAsync("evict", "--entry", id);

        Assert.That(during.ExitCode, Is.EqualTo(1), "the host's idle pin still holds the entry: " + during);
        Assert.That(after.ExitCode, Is.Zero, "the host gave its pin back when it stopped: " + after);
        Assert.That(again.ExitCode, Is.EqualTo(3), "the entry is gone: " + again);
    }

    [Test]
    public async Task An_entry_a_clone_is_using_is_left_by_evict_and_purge_with_exit_1_and_its_volume_kept()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a");
        ImageCacheEntry entry = (await host.Cache.ListAsync(null, CancellationToken.None)).Single();
        await host.PinAsync(entry);

        IvcResult evict = await host.IvcAsync("evict", "--entry", entry.Id.ToString(CultureInfo.InvariantCulture));
        IvcResult purge = await host.IvcAsync("purge", "--backend", CachedHost.Backend);

        Assert.That(evict.ExitCode, Is.EqualTo(1), evict.ToString());
        Assert.That(evict.Output, Does.StartWith($"Left entry {entry.Id}"));
        Assert.That(purge.ExitCode, Is.EqualTo(1), purge.ToString());
        Assert.That(purge.Output.Trim(), Does.StartWith("Scope host1@fs: 0 evicted, 1 in use and left"));
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Is.EqualTo(new[] { entry }));
        Assert.That(File.Exists(Path.Combine(host.Volumes, entry.VolumeId + ".img")), Is.True);
    }

    [Test]
    public async Task Purge_evicts_every_entry_of_the_backend_and_leaves_its_volume_folder_with_the_users_volumes_only()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");

        IvcResult result = await host.IvcAsync("purge", "--backend", CachedHost.Backend);
        IvcResult empty = await host.IvcAsync("purge", "--backend", CachedHost.Backend);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Trim(), Is.EqualTo("Scope host1@fs: 2 evicted."));
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Directory.GetFiles(host.Volumes, "*.img").Select(Path.GetFileName), Is.EquivalentTo(new[] { "vol-1.img", "vol-2.img" }));
        Assert.That(empty.ExitCode, Is.Zero, empty.ToString());
        Assert.That(empty.Output.Trim(), Is.EqualTo("Backend host1@fs has no cache entries."));
    }
}
