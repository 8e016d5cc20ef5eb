using ImageVolumeCache.Sqlite.Internal;
using ImageVolumeCache.Sqlite.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

/// <summary>Opening a file: a bad file is a clear error naming it, never a silent reset.</summary>
public sealed class SqliteStoreStartupTests : TempFolderTests
{
    /// <summary>Takes a file of the current version back to version 4, before scope moves and the (image, scope) index.</summary>
    private const string DropVersion5 = "DROP TRIGGER tr_cache_entries_update_scope; DROP INDEX ix_cache_entries_image_scope;";

    [Test]
    public async Task A_new_file_is_made_with_its_tables_in_WAL_mode()
    {
        string path = Folder.Combine("cache.db");
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        Assert.That(SqliteFile.Query(path, "PRAGMA journal_mode"), Is.EqualTo("wal"));
        Assert.That(SqliteFile.Query(path, "SELECT version FROM schema_version"), Is.EqualTo(5L));
    }

    [Test]
    public async Task A_file_of_random_bytes_fails_naming_the_file_and_is_left_as_it_was()
    {
        string path = Folder.Combine("cache.db");
        byte[] garbage = new byte[8192];
        new Random(42).NextBytes(garbage);
        await File.WriteAllBytesAsync(path, garbage);

        CacheEntryStoreException? error = await SqliteFile.InitializeFailureAsync(path);

        Assert.That(error?.Message, Does.Contain(path).And.Contain("not a SQLite database"));
        Assert.That(error!.Location, Is.EqualTo(path));
        Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(garbage));
    }

    [Test]
    public async Task A_truncated_file_fails_naming_the_file()
    {
        string path = Folder.Combine("cache.db");
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            for (int i = 0; i < 400; i++)
            {
                await store.TryAddAsync(StoreEntries.Entry($"image-{i}", $"volume-{i}"), CancellationToken.None);
            }
        }

        long length = new FileInfo(path).Length;
        await using (FileStream file = File.OpenWrite(path))
        {
            file.SetLength(length / 2);
        }

        CacheEntryStoreException? error = await SqliteFile.InitializeFailureAsync(path);

        Assert.That(error?.Message, Does.Contain(path));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(length / 2));
    }

    [Test]
    public async Task A_file_in_a_missing_folder_fails_naming_the_file_and_the_folder()
    {
        string folder = Folder.Combine("missing");
        string path = Path.Combine(folder, "cache.db");

        CacheEntryStoreException? error = await SqliteFile.InitializeFailureAsync(path);

        Assert.That(error?.Message, Does.Contain(path).And.Contain($"folder '{folder}' does not exist"));
    }

    [Test]
    public async Task A_path_that_is_a_folder_fails_naming_it()
    {
        string path = Folder.Combine("a-folder.db");
        Directory.CreateDirectory(path);

        CacheEntryStoreException? error = await SqliteFile.InitializeFailureAsync(path);

        Assert.That(error?.Message, Does.Contain(path).And.Contain("cannot be opened"));
    }

    [Test]
    public async Task A_file_with_a_newer_schema_version_fails_and_keeps_its_entries()
    {
        string path = Folder.Combine("cache.db");
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            await store.TryAddAsync(StoreEntries.Entry("image-a", "volume-a"), CancellationToken.None);
        }

        SqliteFile.Execute(path, "UPDATE schema_version SET version = 99");

        CacheEntryStoreException? error = await SqliteFile.InitializeFailureAsync(path);

        Assert.That(error?.Message, Does.Contain(path).And.Contain("schema version 99"));
        Assert.That(SqliteFile.Query(path, "SELECT count(*) FROM cache_entries"), Is.EqualTo(1L));
    }

    [Test]
    public async Task A_file_of_schema_version_2_gains_fill_leases_and_keeps_its_entries()
    {
        string path = Folder.Combine("cache.db");
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            await store.TryAddAsync(StoreEntries.Entry("image-a", "volume-a"), CancellationToken.None);
        }

        SqliteFile.Execute(path, $"{DropVersion5} DROP TABLE entry_pins; DROP TABLE entry_marks; DROP TABLE fill_leases; UPDATE schema_version SET version = 2");

        using var reopened = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path });
        bool acquired = await reopened.TryAcquireFillLeaseAsync(StoreEntries.Scope, "image-b", "holder", StoreEntries.T0, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.That(acquired, Is.True);
        Assert.That(SqliteFile.Query(path, "SELECT version FROM schema_version"), Is.EqualTo(5L));
        Assert.That(await reopened.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_file_of_schema_version_3_gains_reservations_and_pins_and_keeps_its_leases()
    {
        string path = Folder.Combine("cache.db");
        var duration = TimeSpan.FromSeconds(30);
        long entryId;
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            entryId = (await store.TryAddAsync(StoreEntries.Entry("image-a", "volume-a"), CancellationToken.None))!.Id;
            await store.TryAcquireFillLeaseAsync(StoreEntries.Scope, "image-b", "holder", StoreEntries.T0, duration, CancellationToken.None);
        }

        SqliteFile.Execute(
            path,
            $"{DropVersion5} DROP TABLE entry_pins; DROP TABLE entry_marks; DROP INDEX ix_fill_leases_volume; "
            + "ALTER TABLE fill_leases DROP COLUMN volume_id; ALTER TABLE fill_leases DROP COLUMN size_gb; UPDATE schema_version SET version = 3");

        using var reopened = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path });
        bool reserved = await reopened.ReserveSpaceAsync(StoreEntries.Scope, "image-b", "holder", "volume-b", 2, CancellationToken.None);
        bool pinned = await reopened.TryPinEntryAsync(entryId, "pin-1", StoreEntries.T0, duration, CancellationToken.None);

        Assert.That(reserved, Is.True, "The lease taken before the migration is still held.");
        Assert.That(await reopened.GetReservedSpaceAsync(StoreEntries.Scope, StoreEntries.T0, CancellationToken.None), Is.EqualTo(new CacheScopeTotals(1, 2)));
        Assert.That(pinned, Is.True);
        Assert.That(SqliteFile.Query(path, "SELECT version FROM schema_version"), Is.EqualTo(5L));
        Assert.That(await reopened.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_file_of_the_previous_schema_version_gains_scope_moves_and_the_image_index_and_keeps_its_entries()
    {
        string path = Folder.Combine("cache.db");
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            await store.TryAddAsync(StoreEntries.Entry("image-a", "volume-a", sizeGb: 2), CancellationToken.None);
        }

        SqliteFile.Execute(path, $"{DropVersion5} UPDATE schema_version SET version = 4");

        using var reopened = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path });
        ScopeMoveResult moved = await reopened.MoveToClusterAsync(StoreEntries.Scope, "cluster1@lvm", CancellationToken.None);

        Assert.That(moved.Moved.Select(e => e.VolumeId), Is.EqualTo(new[] { "volume-a" }));
        Assert.That(await reopened.GetTotalsAsync("cluster1@lvm", CancellationToken.None), Is.EqualTo(new CacheScopeTotals(1, 2)));
        Assert.That(await reopened.GetTotalsAsync(StoreEntries.Scope, CancellationToken.None), Is.EqualTo(new CacheScopeTotals(0, 0)));
        Assert.That(SqliteFile.Query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'ix_cache_entries_image_scope'"), Is.EqualTo(1L));
        Assert.That(SqliteFile.Query(path, "SELECT version FROM schema_version"), Is.EqualTo(5L));
    }

    [Test]
    public async Task The_lookup_across_pools_is_one_search_of_the_image_scope_index()
    {
        string path = Folder.Combine("cache.db");
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        IReadOnlyList<string> plan = SqliteFile.QueryPlan(path, Sql.FindInOtherPools, "$image", "$backend", "$pools", "$end", "$scope");

        Assert.That(plan, Is.EqualTo(new[] { "SEARCH cache_entries USING INDEX ix_cache_entries_image_scope (image_id=? AND scope_key>? AND scope_key<?)" }));
    }

    [Test]
    public async Task A_database_of_something_else_is_refused()
    {
        string path = Folder.Combine("other.db");
        SqliteFile.Execute(path, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");

        CacheEntryStoreException? error = await SqliteFile.InitializeFailureAsync(path);

        Assert.That(error?.Message, Does.Contain(path).And.Contain("not an image-volume cache store"));
        Assert.That(SqliteFile.Query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'cache_entries'"), Is.EqualTo(0L));
    }

    [Test]
    public async Task Host_start_up_fails_on_an_unreadable_file()
    {
        string path = Folder.Combine("cache.db");
        await File.WriteAllTextAsync(path, "this is not a database, but it is long enough to have a header of sorts.");
        await using ServiceProvider provider = StoreServices.With(builder => builder.UseSqliteStore(path)).BuildServiceProvider();

        CacheEntryStoreException? error = null;
        try
        {
            foreach (IHostedService service in provider.GetServices<IHostedService>())
            {
                await service.StartAsync(CancellationToken.None);
            }
        }
        catch (CacheEntryStoreException ex)
        {
            error = ex;
        }

        Assert.That(error?.Message, Does.Contain(path));
    }

    [Test]
    public void Options_without_a_path_or_connection_string_fail_validation_naming_both()
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UseSqliteStore(_ => { })).BuildServiceProvider();

        OptionsValidationException? error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Message, Does.Contain("SqliteCacheEntryStoreOptions.DatabasePath").And.Contain("SqliteCacheEntryStoreOptions.ConnectionString"));
    }

    [TestCase("Data Source=:memory:", "in-memory")]
    [TestCase("Data Source=x.db;Mode=ReadOnly", "read-only")]
    [TestCase("Data Source=x.db;Bogus=1", "not a valid SQLite connection string")]
    public void A_bad_connection_string_fails_validation_naming_the_option(string connectionString, string why)
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UseSqliteStore(o => o.ConnectionString = connectionString)).BuildServiceProvider();

        OptionsValidationException? error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Message, Does.Contain("SqliteCacheEntryStoreOptions.ConnectionString").And.Contain(why));
    }

    [Test]
    public void A_negative_busy_timeout_fails_validation_naming_the_option()
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UseSqliteStore(o =>
        {
            o.DatabasePath = "x.db";
            o.BusyTimeout = TimeSpan.FromSeconds(-1);
        })).BuildServiceProvider();

        OptionsValidationException? error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Message, Does.Contain("SqliteCacheEntryStoreOptions.BusyTimeout"));
    }

    [Test]
    public void UseSqliteStore_takes_a_connection_string_or_a_path()
    {
        string fromConnectionString = StorePath(builder => builder.UseSqliteStore($"Data Source={Folder.Combine("a.db")};Mode=ReadWriteCreate"));
        string fromPath = StorePath(builder => builder.UseSqliteStore(Folder.Combine("b=c.db")));

        Assert.That((fromConnectionString, fromPath), Is.EqualTo((Folder.Combine("a.db"), Folder.Combine("b=c.db"))));
    }

    [Test]
    public void The_store_replaces_the_in_memory_store()
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UseSqliteStore(Folder.Combine("cache.db"))).BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ICacheEntryStore>(), Is.SameAs(provider.GetRequiredService<SqliteCacheEntryStore>()));
    }

    private static string StorePath(Action<IImageVolumeCacheBuilder> configure)
    {
        using ServiceProvider provider = StoreServices.With(configure).BuildServiceProvider();
        return provider.GetRequiredService<SqliteCacheEntryStore>().DatabasePath;
    }
}
