using System.Diagnostics;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

/// <summary>Two real processes (the TestHost child) adding entries to one database file at the same moment.</summary>
public sealed class SqliteTwoProcessTests
{
    private const int OwnImages = 50;

    [Test]
    public async Task Two_processes_racing_for_one_image_make_one_entry_and_keep_every_other_entry()
    {
        using var folder = new TemporaryDirectory();
        string database = folder.Combine("cache.db");
        string start = folder.Combine("start");
        using Process first = StartChild(database, start, "p1");
        using Process second = StartChild(database, start, "p2");
        Assert.That(await first.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"));
        Assert.That(await second.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"));

        await File.WriteAllTextAsync(start, "go");
        int won = await SharedWinsAsync(first) + await SharedWinsAsync(second);

        using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = database });
        ImageCacheEntry? shared = await store.GetAsync("host1@lvm", "image-shared", CancellationToken.None);
        Assert.That(won, Is.EqualTo(1));
        Assert.That(shared?.VolumeId, Is.AnyOf("volume-p1-0", "volume-p2-0"));
        Assert.That(await store.GetTotalsAsync("host1@lvm", CancellationToken.None), Is.EqualTo(new CacheScopeTotals(1 + (2 * OwnImages), 1 + (2 * OwnImages))));
    }

    private static Process StartChild(string database, string startFile, string name) =>
        ChildProcess.Start("race", database, startFile, name, ChildProcess.Number(OwnImages));

    private static async Task<int> SharedWinsAsync(Process child)
    {
        // A bound on a hung child, not a measure of speed: the test fails rather than hang the run.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string output = await child.StandardOutput.ReadToEndAsync(timeout.Token);
        await child.WaitForExitAsync(timeout.Token);
        string errors = await child.StandardError.ReadToEndAsync(timeout.Token);
        Assert.That(child.ExitCode, Is.Zero, errors);
        string line = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("shared-won ", StringComparison.Ordinal));
        return int.Parse(line["shared-won ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
