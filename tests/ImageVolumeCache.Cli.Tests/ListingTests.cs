using System.Text.Json;

namespace ImageVolumeCache.Cli.Tests;

/// <summary><c>ivc entries</c> and <c>ivc stats</c> read what a host made, as tables for people and JSON for scripts.</summary>
public sealed class ListingTests
{
    [Test]
    public async Task Entries_lists_the_entries_a_host_made_most_recently_used_first()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");
        await host.CreateAsync("vol-3", "image-a"); // a hit: image-a is now the most recently used
        await host.WriteTouchesAsync(); // the tool sees a host's touches once written: within a second

        IvcResult table = await host.IvcAsync("entries");
        IvcResult json = await host.IvcAsync("entries", "--json");

        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        Assert.That(table.Lines[0], Does.StartWith("ID").And.Contain("SCOPE").And.Contain("IMAGE").And.Contain("VOLUME").And.Contain("LAST USED"));
        Assert.That(table.Lines.Skip(1).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[2]), Is.EqualTo(new[] { "image-a", "image-b" }));
        Assert.That(json.ExitCode, Is.Zero, json.ToString());
        using JsonDocument document = JsonDocument.Parse(json.Output);
        JsonElement[] entries = [.. document.RootElement.EnumerateArray()];
        IReadOnlyList<ImageCacheEntry> stored = await host.Cache.ListAsync(null, CancellationToken.None);
        Assert.That(entries.Select(e => e.GetProperty("imageId").GetString()), Is.EqualTo(new[] { "image-a", "image-b" }));
        Assert.That(entries.Select(e => e.GetProperty("volumeId").GetString()), Is.EquivalentTo(stored.Select(e => e.VolumeId)));
        Assert.That(entries.Select(e => e.GetProperty("scope").GetString()), Is.All.EqualTo(CachedHost.Backend));
        Assert.That(entries.Select(e => File.Exists(Path.Combine(host.Volumes, e.GetProperty("volumeId").GetString() + ".img"))), Is.All.True);
    }

    [Test]
    public async Task Entries_with_backend_shows_the_scopes_that_backend_serves_only()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a");

        IvcResult other = await host.IvcAsync("entries", "--backend", "host2@fs");
        IvcResult otherJson = await host.IvcAsync("entries", "--backend", "host2@fs", "--json");
        IvcResult own = await host.IvcAsync("entries", "--backend", CachedHost.Backend);

        Assert.That(own.ExitCode, Is.Zero, own.ToString());
        Assert.That(own.Lines, Has.Length.EqualTo(2));
        Assert.That(own.Lines[1], Does.Contain("image-a"));
        Assert.That(other.ExitCode, Is.Zero, other.ToString());
        Assert.That(other.Output.Trim(), Is.EqualTo("No cache entries of backend host2@fs."));
        Assert.That(JsonDocument.Parse(otherJson.Output).RootElement.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Reading_commands_change_nothing_not_even_an_entry_whose_cache_volume_is_gone()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a");
        ImageCacheEntry entry = (await host.Cache.ListAsync(null, CancellationToken.None)).Single();
        File.Delete(Path.Combine(host.Volumes, entry.VolumeId + ".img"));

        IvcResult entries = await host.IvcAsync("entries");
        IvcResult stats = await host.IvcAsync("stats");
        IvcResult health = await host.IvcAsync("health");

        Assert.That(new[] { entries.ExitCode, stats.ExitCode, health.ExitCode }, Is.All.Zero, $"{entries}\n{stats}\n{health}");
        Assert.That(entries.Output, Does.Contain(entry.VolumeId), "no reconciliation ran");
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Is.EqualTo(new[] { entry }));
    }

    [Test]
    public async Task Stats_json_parses_and_counts_the_entries_and_gigabytes_against_the_configured_limits()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(3, "image-a", "image-b");

        IvcResult json = await host.IvcAsync("stats", "--json");
        IvcResult table = await host.IvcAsync("stats");

        Assert.That(json.ExitCode, Is.Zero, json.ToString());
        using JsonDocument document = JsonDocument.Parse(json.Output);
        JsonElement scope = document.RootElement.GetProperty("scopes").EnumerateArray().Single();
        Assert.That(scope.GetProperty("scope").GetString(), Is.EqualTo(CachedHost.Backend));
        Assert.That(scope.GetProperty("entries").GetInt32(), Is.EqualTo(2));
        Assert.That(scope.GetProperty("sizeGb").GetInt64(), Is.EqualTo(2));
        Assert.That(scope.GetProperty("maxCount").GetInt32(), Is.EqualTo(3), "the limit from appsettings.json");
        Assert.That(scope.GetProperty("overLimits").GetBoolean(), Is.False);
        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        Assert.That(table.Lines[1].Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()), Is.EqualTo(new[] { "host1@fs", "host1@fs", "yes", "2", "3", "2", "unlimited", "no" }));
    }
}
