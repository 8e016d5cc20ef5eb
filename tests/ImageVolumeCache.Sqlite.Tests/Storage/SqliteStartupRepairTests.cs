using ImageVolumeCache.Sqlite.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static ImageVolumeCache.Sqlite.Tests.Support.StoreEntries;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

/// <summary>
/// At start-up the store reads every row once: rows it cannot use are quarantined, and each scope's totals are
/// recomputed from the rows and repaired where they differ, so a tampered total neither stops caching nor lifts a limit.
/// </summary>
public sealed class SqliteStartupRepairTests : TempFolderTests
{
    private string _path = null!;

    [SetUp]
    public async Task MakeAStoreFileWithThreeEntries()
    {
        _path = Folder.Combine("cache.db");
        using var store = Open();
        await store.TryAddAsync(Entry("image-a", "volume-a", sizeGb: 3, lastUsed: T0.AddTicks(3)), CancellationToken.None);
        await store.TryAddAsync(Entry("image-b", "volume-b", sizeGb: 5, lastUsed: T0.AddTicks(5)), CancellationToken.None);
        await store.TryAddAsync(Entry("image-c", "volume-c", sizeGb: 7, lastUsed: T0.AddTicks(7)), CancellationToken.None);
    }

    [TestCase("UPDATE scope_totals SET entry_count = 1000000")]
    [TestCase("UPDATE scope_totals SET entry_count = -5")]
    [TestCase("UPDATE scope_totals SET entry_count = 3000000000")]
    [TestCase("UPDATE scope_totals SET size_gb = 0")]
    [TestCase("DELETE FROM scope_totals")]
    [TestCase("INSERT INTO scope_totals VALUES ('host9@lvm', 4, 40)")]
    public async Task Tampered_scope_totals_are_recomputed_from_the_rows_at_start_up(string tampering)
    {
        SqliteFile.Execute(_path, tampering);
        using var store = Open();

        await store.InitializeAsync(CancellationToken.None);

        Assert.That(await store.GetTotalsAsync(Scope, CancellationToken.None), Is.EqualTo(new CacheScopeTotals(3, 15)));
        Assert.That(await store.GetTotalsAsync("host9@lvm", CancellationToken.None), Is.EqualTo(default(CacheScopeTotals)));
    }

    [TestCase("size_gb = 3000000000")]
    [TestCase("size_gb = -5")]
    [TestCase("image_updated_at = 9223372036854775807")]
    public async Task A_bad_row_found_at_start_up_is_quarantined_and_the_other_rows_serve(string tampering)
    {
        long id = (long)SqliteFile.Query(_path, "SELECT id FROM cache_entries WHERE image_id = 'image-b'")!;
        SqliteFile.Execute(_path, $"UPDATE cache_entries SET {tampering} WHERE id = {id}");
        using var store = Open();

        await store.InitializeAsync(CancellationToken.None);

        Assert.That((await store.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "image-a", "image-c" }));
        Assert.That(await store.GetTotalsAsync(Scope, CancellationToken.None), Is.EqualTo(new CacheScopeTotals(2, 10)));
        Assert.That(SqliteFile.Query(_path, $"SELECT volume_id FROM quarantined_entries WHERE id = {id}"), Is.EqualTo("volume-b"));
    }

    [Test]
    public async Task A_bad_row_found_at_start_up_is_logged_as_an_error_naming_the_file_and_the_entry()
    {
        long id = (long)SqliteFile.Query(_path, "SELECT id FROM cache_entries WHERE image_id = 'image-b'")!;
        SqliteFile.Execute(_path, $"UPDATE cache_entries SET size_gb = 3000000000 WHERE id = {id}");
        var logger = new FakeLogger();
        using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _path }, logger, timeProvider: null);

        await store.InitializeAsync(CancellationToken.None);

        FakeLogRecord error = logger.Collector.GetSnapshot().Single(r => r.Id.Id == 2000);
        Assert.That(error.Level, Is.EqualTo(LogLevel.Error));
        Assert.That(error.Message, Does.Contain(_path).And.Contain($"Cache entry {id} ").And.Contain("size_gb 3000000000"));
    }

    [Test]
    public async Task A_repaired_total_is_logged_as_a_warning_with_the_scope_and_the_stored_and_actual_values()
    {
        SqliteFile.Execute(_path, "UPDATE scope_totals SET entry_count = 1000000");
        var logger = new FakeLogger();
        using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _path }, logger, timeProvider: null);

        await store.InitializeAsync(CancellationToken.None);

        FakeLogRecord warning = logger.Collector.GetSnapshot().Single(r => r.Id.Id == 2001);
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain($"scope {Scope}").And.Contain("stored 1000000 entries, 15 GB").And.Contain("hold 3, 15 GB"));
    }

    [Test]
    public async Task Totals_that_cannot_be_right_are_recomputed_when_read_while_serving()
    {
        using var store = Open();
        await store.InitializeAsync(CancellationToken.None);
        SqliteFile.Execute(_path, "UPDATE scope_totals SET entry_count = 3000000000");

        CacheScopeTotals totals = await store.GetTotalsAsync(Scope, CancellationToken.None);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(3, 15)));
    }

    private SqliteCacheEntryStore Open() => new(new SqliteCacheEntryStoreOptions { DatabasePath = _path });
}
