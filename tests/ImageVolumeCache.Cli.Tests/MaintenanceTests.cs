using System.Text.Json;

namespace ImageVolumeCache.Cli.Tests;

/// <summary><c>ivc trim</c>, <c>ivc warm</c> and <c>ivc reconcile</c> run the cache's own maintenance, from outside the hosts.</summary>
public sealed class MaintenanceTests
{
    [Test]
    public async Task Trim_evicts_the_least_recently_used_entries_down_to_a_limit_lowered_in_the_configuration_file()
    {
        await using CachedHost host = await CachedHost.StartAsync(maxCount: 0);
        foreach (string image in new[] { "image-a", "image-b", "image-c" })
        {
            await host.AddImageAsync(image);
            await host.CreateAsync("vol-" + image, image);
        }

        await host.WriteSettingsAsync(maxCount: 1);
        IvcResult result = await host.IvcAsync("trim");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Trim(), Does.StartWith("Evicted 2: 2 over limits, 0 idle"));
        IReadOnlyList<ImageCacheEntry> kept = await host.Cache.ListAsync(null, CancellationToken.None);
        Assert.That(kept.Select(e => e.ImageId), Is.EqualTo(new[] { "image-c" }), "the most recently used stays");
        Assert.That(CacheVolumeFiles(host), Is.EqualTo(new[] { kept[0].VolumeId + ".img" }), "the evicted entries' cache volumes are deleted");
    }

    [Test]
    public async Task Trim_evicts_the_entries_of_an_image_the_image_service_no_longer_has()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");
        foreach (string file in Directory.GetFiles(host.Images, "image-a.*"))
        {
            File.Delete(file);
        }

        IvcResult result = await host.IvcAsync("trim", "--json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument document = JsonDocument.Parse(result.Output);
        Assert.That(document.RootElement.GetProperty("imageDeleted").GetInt32(), Is.EqualTo(1));
        Assert.That(document.RootElement.GetProperty("evicted").GetInt32(), Is.EqualTo(1));
        IReadOnlyList<ImageCacheEntry> kept = await host.Cache.ListAsync(null, CancellationToken.None);
        Assert.That(kept.Select(e => e.ImageId), Is.EqualTo(new[] { "image-b" }));
        Assert.That(CacheVolumeFiles(host), Is.EqualTo(new[] { kept[0].VolumeId + ".img" }));
    }

    [Test]
    public async Task Trim_with_an_image_folder_that_knows_none_of_the_cached_images_is_refused_and_evicts_nothing()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");
        string wrong = Directory.CreateDirectory(Path.Combine(host.Folder, "other-images")).FullName;

        IvcResult result = await host.IvcAsync("trim", "--image-folder", wrong);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("knows none of the 2 cached images"));
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_command_that_changes_the_cache_refuses_a_backend_folder_that_holds_none_of_its_cache_volumes()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");
        string wrong = Directory.CreateDirectory(Path.Combine(host.Folder, "empty-volumes")).FullName;

        IvcResult purge = await host.IvcAsync("purge", "--backend", CachedHost.Backend, "--fs-backend", $"{CachedHost.Backend}={wrong}");
        IvcResult reconcile = await host.IvcAsync("reconcile", "--backend", CachedHost.Backend, "--fs-backend", $"{CachedHost.Backend}={wrong}");

        Assert.That(purge.ExitCode, Is.EqualTo(2), purge.ToString());
        Assert.That(purge.Error, Does.Contain(wrong).And.Contain("holds none of the 2 cache volume(s)"));
        Assert.That(reconcile.ExitCode, Is.EqualTo(2), reconcile.ToString());
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(2));
        Assert.That(CacheVolumeFiles(host), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task Warm_fills_an_image_so_that_the_hosts_first_volume_of_it_is_a_hit()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        await host.AddImageAsync("image-a");

        IvcResult warm = await host.IvcAsync("warm", "--backend", CachedHost.Backend, "--image", "image-a");
        IvcResult again = await host.IvcAsync("warm", "--backend", CachedHost.Backend, "--image", "image-a", "--json");
        CreateVolumeFromImageResult first = await host.CreateAsync("vol-1", "image-a");

        Assert.That(warm.ExitCode, Is.Zero, warm.ToString());
        Assert.That(warm.Lines[1], Does.StartWith("image-a").And.Contain("filled"));
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(JsonDocument.Parse(again.Output).RootElement[0].GetProperty("outcome").GetString(), Is.EqualTo("alreadyCached"));
        Assert.That(first.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
    }

    [Test]
    public async Task Warm_of_an_image_the_image_service_does_not_have_fails_with_exit_1_and_makes_nothing()
    {
        await using CachedHost host = await CachedHost.StartAsync();

        IvcResult result = await host.IvcAsync("warm", "--backend", CachedHost.Backend, "--image", "no-such-image");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Lines[1], Does.StartWith("no-such-image").And.Contain("failed"));
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Directory.GetFiles(host.Volumes), Is.Empty);
    }

    [Test]
    public async Task Warm_without_an_image_service_is_a_usage_error_naming_what_is_missing()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        await host.WriteSettingsAsync(0, s => s["ImageVolumeCacheTool"]!.AsObject().Remove("ImageFolder"));

        IvcResult result = await host.IvcAsync("warm", "--backend", CachedHost.Backend, "--image", "image-a");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("image service"));
    }

    [Test]
    public async Task Reconcile_removes_the_entry_of_a_cache_volume_that_is_gone()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");
        ImageCacheEntry lost = (await host.Cache.ListAsync(null, CancellationToken.None)).Single(e => e.ImageId == "image-a");
        File.Delete(Path.Combine(host.Volumes, lost.VolumeId + ".img"));

        IvcResult result = await host.IvcAsync("reconcile", "--backend", CachedHost.Backend, "--json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument document = JsonDocument.Parse(result.Output);
        Assert.That(document.RootElement.GetProperty("reconciled").GetBoolean(), Is.True);
        Assert.That(document.RootElement.GetProperty("result").GetProperty("entriesRemoved").GetInt32(), Is.EqualTo(1));
        Assert.That(document.RootElement.GetProperty("result").GetProperty("volumesDeleted").GetInt32(), Is.Zero);
        Assert.That((await host.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "image-b" }));
        Assert.That(Directory.GetFiles(host.Volumes, "vol-*.img"), Has.Length.EqualTo(2), "the users' volumes are not touched");
    }

    [Test]
    public async Task Reconcile_without_an_image_service_is_refused_since_it_could_not_tell_an_adoptable_volume_from_a_leftover()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a");
        await host.WriteSettingsAsync(0, s => s["ImageVolumeCacheTool"]!.AsObject().Remove("ImageFolder"));

        IvcResult result = await host.IvcAsync("reconcile", "--backend", CachedHost.Backend);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("needs the host's image service"));
    }

    [Test]
    public async Task Reconcile_of_a_backend_that_is_not_configured_is_a_usage_error()
    {
        await using CachedHost host = await CachedHost.StartAsync();

        IvcResult result = await host.IvcAsync("reconcile", "--backend", "host9@fs");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("host9@fs"));
    }

    [Test]
    public async Task Health_is_healthy_then_degraded_with_exit_4_once_the_configuration_lowers_a_limit_below_what_is_held()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");

        IvcResult healthy = await host.IvcAsync("health");
        await host.WriteSettingsAsync(maxCount: 1);
        IvcResult degraded = await host.IvcAsync("health", "--json");

        Assert.That(healthy.ExitCode, Is.Zero, healthy.ToString());
        Assert.That(healthy.Lines[0], Is.EqualTo("Healthy"));
        Assert.That(degraded.ExitCode, Is.EqualTo(4), degraded.ToString());
        using JsonDocument document = JsonDocument.Parse(degraded.Output);
        Assert.That(document.RootElement.GetProperty("status").GetString(), Is.EqualTo("degraded"));
        Assert.That(document.RootElement.GetProperty("checks")[0].GetProperty("description").GetString(), Does.Contain(CachedHost.Backend));
    }

    [Test]
    public async Task Health_of_a_store_that_cannot_be_read_is_unhealthy_with_exit_5()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        string broken = Path.Combine(host.Folder, "broken.db");
        await File.WriteAllTextAsync(broken, "this is not a SQLite database, and it is long enough to have a header of sorts");

        IvcResult result = await host.IvcAsync("health", "--sqlite", broken);

        Assert.That(result.ExitCode, Is.EqualTo(5), result.ToString());
        Assert.That(result.Lines[0], Is.EqualTo("Unhealthy"));
        Assert.That(result.Output, Does.Contain("broken.db"));
    }

    [Test]
    public async Task Health_json_of_a_store_that_cannot_be_read_is_one_json_document_saying_unhealthy()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        string broken = Path.Combine(host.Folder, "broken.db");
        await File.WriteAllTextAsync(broken, "this is not a SQLite database, and it is long enough to have a header of sorts");

        IvcResult result = await host.IvcAsync("health", "--sqlite", broken, "--json");

        Assert.That(result.ExitCode, Is.EqualTo(5), result.ToString());
        using JsonDocument document = JsonDocument.Parse(result.Output);
        Assert.That(document.RootElement.GetProperty("status").GetString(), Is.EqualTo("unhealthy"));
    }

    private static string[] CacheVolumeFiles(CachedHost host) =>
        [.. Directory.GetFiles(host.Volumes, "*.img").Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith("vol-", StringComparison.Ordinal))];
}
