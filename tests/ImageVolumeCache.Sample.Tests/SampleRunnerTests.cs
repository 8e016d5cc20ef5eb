namespace ImageVolumeCache.Sample.Tests;

/// <summary>The sample's main path, end to end on real files with a small image.</summary>
public sealed partial class SampleRunnerTests
{
    [Test]
    public async Task The_sample_shows_one_miss_then_hits_and_exits_with_0()
    {
        using var data = new TemporaryDirectory();

        (int exitCode, string text) = await RunAsync(data.Path);

        Assert.That(exitCode, Is.EqualTo(0), text);
        Assert.That(Paths(text), Is.EqualTo(new[] { "CacheMissCreated", "CacheHit", "CacheHit" }), text);
        Assert.That(text, Does.Contain("notifications: 2 hit, 1 miss, 0 evict").And.Contain("hits are").And.Contain("run it again"));
        Assert.That(Directory.EnumerateFiles(Path.Combine(data.Path, "volumes"), "*.img").Count(), Is.EqualTo(1), "only the cache volume stays, for the next run");
        Assert.That(File.Exists(Path.Combine(data.Path, "cache.db")), Is.True, "the entries are kept in a SQLite file in the data folder");
    }

    [Test]
    public async Task A_second_run_on_the_same_data_folder_starts_with_a_hit()
    {
        using var data = new TemporaryDirectory();
        (int firstExit, string first) = await RunAsync(data.Path);

        (int exitCode, string text) = await RunAsync(data.Path);

        Assert.That(firstExit, Is.EqualTo(0), first);
        Assert.That(exitCode, Is.EqualTo(0), text);
        Assert.That(Paths(text), Is.EqualTo(new[] { "CacheHit", "CacheHit", "CacheHit" }), text);
        Assert.That(text, Does.Contain("kept from an earlier run").And.Contain("notifications: 3 hit, 0 miss, 0 evict"));
    }

    [Test]
    public async Task With_warm_the_image_is_cached_before_the_first_volume_which_is_a_hit()
    {
        using var data = new TemporaryDirectory();

        (int exitCode, string text) = await RunAsync(data.Path, "--warm", "true");

        Assert.That(exitCode, Is.EqualTo(0), text);
        Assert.That(text, Does.Contain("warmed        Filled"));
        Assert.That(Paths(text), Is.EqualTo(new[] { "CacheHit", "CacheHit", "CacheHit" }), text);
        Assert.That(text, Does.Contain("notifications: 3 hit, 1 miss, 0 evict"), "the warm's fill is the one miss");
    }

    [Test]
    public async Task With_the_store_in_memory_the_sample_leaves_no_volume_behind()
    {
        using var data = new TemporaryDirectory();

        (int exitCode, string text) = await RunAsync(data.Path, "--store", "memory");

        Assert.That(exitCode, Is.EqualTo(0), text);
        Assert.That(Paths(text), Is.EqualTo(new[] { "CacheMissCreated", "CacheHit", "CacheHit" }), text);
        Assert.That(Directory.EnumerateFiles(Path.Combine(data.Path, "volumes")), Is.Empty, "with entries in memory the cache volume goes too");
        Assert.That(File.Exists(Path.Combine(data.Path, "cache.db")), Is.False);
    }

    [Test]
    public async Task With_the_PostgreSQL_store_the_sample_shows_one_miss_then_hits_and_keeps_the_entry_there()
    {
        using var data = new TemporaryDirectory();
        await using PostgresDatabase database = await PostgresDatabase.CreateAsync();

        (int exitCode, string text) = await RunAsync(data.Path, "--store", "postgres", "--store-connection", database.ConnectionString);

        Assert.That(exitCode, Is.EqualTo(0), text);
        Assert.That(Paths(text), Is.EqualTo(new[] { "CacheMissCreated", "CacheHit", "CacheHit" }), text);
        Assert.That(text, Does.Contain("notifications: 2 hit, 1 miss, 0 evict").And.Contain("hits are").And.Contain("entry is kept in postgresql://"));
        Assert.That(Directory.EnumerateFiles(Path.Combine(data.Path, "volumes"), "*.img").Count(), Is.EqualTo(1), "only the cache volume stays, for the next run");
        Assert.That(File.Exists(Path.Combine(data.Path, "cache.db")), Is.False, "the entries are in PostgreSQL, not in a SQLite file");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" ")]
    public async Task The_sample_refuses_the_PostgreSQL_store_without_a_connection_string(string? connectionString)
    {
        using var data = new TemporaryDirectory();
        string[] more = connectionString is null ? ["--store", "postgres"] : ["--store", "postgres", "--store-connection", connectionString];

        (int exitCode, string text) = await RunAsync(data.Path, more);

        Assert.That(exitCode, Is.EqualTo(2), text);
        Assert.That(text, Does.Contain("--store-connection"));
        Assert.That(Directory.Exists(Path.Combine(data.Path, "volumes")), Is.False, "nothing is made before the options are checked");
    }

    [Test]
    public async Task The_sample_refuses_fewer_than_two_volumes()
    {
        using var data = new TemporaryDirectory();
        using var output = new StringWriter();

        int exitCode = await SampleCommandLine.RunAsync(["--data-dir", data.Path, "--volumes", "1"], output, output, interactive: false, CancellationToken.None);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(output.ToString(), Does.Contain("--volumes"));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string dataDir, params string[] more)
    {
        using var output = new StringWriter();
        int exitCode = await SampleCommandLine.RunAsync(
            ["--image-size-mb", "8", "--data-dir", dataDir, "--volumes", "3", .. more], output, output, interactive: false, CancellationToken.None);
        return (exitCode, output.ToString());
    }

    private static IEnumerable<string> Paths(string text) =>
        text.Split('\n').Where(l => l.TrimStart().StartsWith("path ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(','));
}
