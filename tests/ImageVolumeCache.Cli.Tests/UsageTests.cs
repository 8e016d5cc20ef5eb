namespace ImageVolumeCache.Cli.Tests;

/// <summary>A usage error exits 2 with one line naming the option or key and its value, and changes nothing.</summary>
public sealed class UsageTests
{
    [Test]
    public async Task A_SQLite_store_that_does_not_exist_is_named_and_not_made()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        string missing = Path.Combine(host.Folder, "mistyped.db");

        IvcResult result = await host.IvcAsync("stats", "--sqlite", missing);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("--sqlite").And.Contain(missing));
        Assert.That(File.Exists(missing), Is.False);
    }

    [Test]
    public async Task Without_a_store_in_the_configuration_or_on_the_command_line_the_error_says_how_to_name_one()
    {
        using var empty = new TemporaryDirectory();

        IvcResult result = await IvcProcess.RunAsync(empty.Path, "entries");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("--sqlite").And.Contain("ImageVolumeCacheTool:Store:Sqlite"));
    }

    [Test]
    public async Task A_key_the_tool_does_not_read_in_its_section_is_named()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        await host.WriteSettingsAsync(0, s => s["ImageVolumeCacheTool"]!["Stor"] = "typo");

        IvcResult result = await host.IvcAsync("entries");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("ImageVolumeCacheTool:Stor is not a key ivc reads"));
    }

    [Test]
    public async Task A_cache_option_the_cache_refuses_is_named_with_its_key()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        await host.WriteSettingsAsync(maxCount: -1);

        IvcResult result = await host.IvcAsync("stats");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("ImageVolumeCache:Defaults:MaxCount"));
    }

    [Test]
    public async Task A_command_that_changes_the_cache_refuses_a_configuration_without_the_internal_tenant_and_touches_nothing()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a");
        ImageCacheEntry entry = (await host.Cache.ListAsync(null, CancellationToken.None)).Single();
        await host.WriteSettingsAsync(0, s => s["ImageVolumeCache"]!.AsObject().Remove("InternalTenant"));

        IvcResult evict = await host.IvcAsync("evict", "--image", "image-a");
        IvcResult entries = await host.IvcAsync("entries");

        Assert.That(evict.ExitCode, Is.EqualTo(2), evict.ToString());
        Assert.That(evict.Error, Does.Contain("ImageVolumeCache:InternalTenant:ProjectId"));
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
        Assert.That(File.Exists(Path.Combine(host.Volumes, entry.VolumeId + ".img")), Is.True);
        Assert.That(entries.ExitCode, Is.Zero, "reading needs no tenant");
    }

    [Test]
    public async Task A_configuration_file_given_with_config_is_read_instead_of_the_one_in_the_current_folder()
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a");
        using var elsewhere = new TemporaryDirectory();

        IvcResult result = await IvcProcess.RunAsync(elsewhere.Path, "entries", "--config", Path.Combine(host.Folder, "appsettings.json"));
        IvcResult missing = await IvcProcess.RunAsync(elsewhere.Path, "entries", "--config", "nowhere.json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("image-a"), "relative paths in the file are the file's folder's");
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.Error, Does.Contain("--config").And.Contain("nowhere.json"));
    }

    [TestCase(new string[0], "Required command was not provided")]
    [TestCase(new[] { "evict", "--entry", "1", "--image", "image-a" }, "one of --entry ID and --image IMAGE-ID")]
    [TestCase(new[] { "evict" }, "one of --entry ID and --image IMAGE-ID")]
    [TestCase(new[] { "purge" }, "--backend")]
    [TestCase(new[] { "warm", "--backend", "host1@fs" }, "--image")]
    [TestCase(new[] { "entries", "--fs-backend", "no-equals-sign" }, "--fs-backend takes NAME=DIRECTORY")]
    [TestCase(new[] { "evacuate" }, "evacuate")]
    [TestCase(new[] { "warm", "--backend", "host1@fs", "--image", "image-c", "--image", " " }, "--image needs an image id")]
    [TestCase(new[] { "warm", "--backend", "host9@fs", "--image", "image-c" }, "host9@fs")]
    public async Task A_bad_command_line_exits_2_says_what_is_wrong_and_changes_nothing(string[] args, string message)
    {
        await using CachedHost host = await CachedHost.StartWithEntriesAsync(0, "image-a", "image-b");
        await host.AddImageAsync("image-c");
        string[] before = [.. Directory.GetFiles(host.Volumes).Order(StringComparer.Ordinal)];

        IvcResult result = await host.IvcAsync(args);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
        Assert.That(result.Output, Is.Empty);
        Assert.That((await host.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EquivalentTo(new[] { "image-a", "image-b" }));
        Assert.That(Directory.GetFiles(host.Volumes).Order(StringComparer.Ordinal), Is.EqualTo(before));
    }

    [Test]
    public async Task An_empty_file_named_as_the_SQLite_store_is_not_made_into_one()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        string empty = Path.Combine(host.Folder, "empty.db");
        await File.WriteAllBytesAsync(empty, []);

        IvcResult result = await host.IvcAsync("stats", "--sqlite", empty);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("is not a SQLite database"));
        Assert.That(new FileInfo(empty).Length, Is.Zero);
    }

    [Test]
    public async Task Help_lists_every_command_and_the_exit_codes()
    {
        using var empty = new TemporaryDirectory();

        IvcResult result = await IvcProcess.RunAsync(empty.Path, "--help");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        foreach (string command in new[] { "entries", "stats", "evict", "purge", "trim", "warm", "reconcile", "health" })
        {
            Assert.That(result.Output, Does.Contain(command));
        }

        Assert.That(result.Output, Does.Contain("4 ivc health: degraded"));
    }
}
