using ImageVolumeCache.PostgreSql.Tests.Support;
using static ImageVolumeCache.PostgreSql.Tests.Support.StoreEntries;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>Making and migrating the schema: once, whatever the number of hosts starting at once; never over a schema that is not the store's.</summary>
public sealed class PostgreSqlMigrationTests
{
    private PostgreSqlCacheEntryStoreOptions _options = null!;

    [SetUp]
    public void ChooseANewSchema() => _options = PostgresServer.NewStoreOptions();

    [TearDown]
    public async Task DropTheSchema()
    {
        if (_options is not null)
        {
            await PostgresServer.DropSchemaAsync(_options.Schema);
        }
    }

    [Test]
    public async Task A_new_schema_is_made_with_its_tables_and_version()
    {
        await using (var store = new PostgreSqlCacheEntryStore(_options))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        Assert.That(await PostgresServer.QueryAsync($"SELECT version FROM {_options.Schema}.schema_version"), Is.EqualTo(4));
        Assert.That(
            await PostgresServer.QueryAsync($"SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = '{_options.Schema}'"),
            Is.EqualTo("cache_entries,entry_marks,entry_pins,fill_leases,quarantined_entries,schema_version,scope_totals"));
    }

    [Test]
    public async Task Eight_stores_starting_at_once_on_a_new_schema_make_it_once_without_error()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgreSqlCacheEntryStore(_options)).ToArray();
        try
        {
            using var start = new ManualResetEventSlim();
            Task[] starts = stores.Select(s => Task.Run(async () =>
            {
                start.Wait();
                await s.InitializeAsync(CancellationToken.None);
            })).ToArray();

            start.Set();
            await Task.WhenAll(starts);

            Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{_options.Schema}'"), Is.EqualTo(1L));
            Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM {_options.Schema}.schema_version"), Is.EqualTo(1L));
            ImageCacheEntry? added = await stores[3].TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);
            Assert.That(await stores[5].GetAsync(Scope, "image-a", CancellationToken.None), Is.EqualTo(added));
        }
        finally
        {
            foreach (PostgreSqlCacheEntryStore store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_restarted_store_keeps_its_entries()
    {
        ImageCacheEntry? added;
        await using (var first = new PostgreSqlCacheEntryStore(_options))
        {
            added = await first.TryAddAsync(Entry("image-a", "volume-a", sizeGb: 4), CancellationToken.None);
        }

        await using var second = new PostgreSqlCacheEntryStore(_options);

        Assert.That(await second.ListAsync(null, CancellationToken.None), Is.EqualTo(new[] { added }));
        Assert.That(await second.GetTotalsAsync(Scope, CancellationToken.None), Is.EqualTo(new CacheScopeTotals(1, 4)));
    }

    [Test]
    public async Task A_schema_of_version_1_gains_fill_leases_and_keeps_its_entries()
    {
        ImageCacheEntry? added;
        await using (var first = new PostgreSqlCacheEntryStore(_options))
        {
            added = await first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);
        }

        await PostgresServer.ExecuteAsync($"DROP INDEX {_options.Schema}.cache_entries_image_scope; DROP TABLE {_options.Schema}.fill_leases, {_options.Schema}.entry_pins, {_options.Schema}.entry_marks; UPDATE {_options.Schema}.schema_version SET version = 1");

        await using var second = new PostgreSqlCacheEntryStore(_options);
        bool acquired = await second.TryAcquireFillLeaseAsync(Scope, "image-b", "holder", T0, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.That(acquired, Is.True);
        Assert.That(await PostgresServer.QueryAsync($"SELECT version FROM {_options.Schema}.schema_version"), Is.EqualTo(4));
        Assert.That(await second.ListAsync(null, CancellationToken.None), Is.EqualTo(new[] { added }));
    }

    [Test]
    public async Task A_schema_of_the_previous_version_gains_the_image_index_and_keeps_its_entries()
    {
        ImageCacheEntry? added;
        await using (var first = new PostgreSqlCacheEntryStore(_options))
        {
            added = await first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);
        }

        await PostgresServer.ExecuteAsync($"DROP INDEX {_options.Schema}.cache_entries_image_scope; UPDATE {_options.Schema}.schema_version SET version = 3");

        await using var second = new PostgreSqlCacheEntryStore(_options);
        IReadOnlyList<ImageCacheEntry> found = await second.FindInOtherPoolsAsync(Scope + "#other-pool", "image-a", CancellationToken.None);

        Assert.That(found, Is.EqualTo(new[] { added }));
        Assert.That(await PostgresServer.QueryAsync($"SELECT version FROM {_options.Schema}.schema_version"), Is.EqualTo(4));
        Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{_options.Schema}' AND indexname = 'cache_entries_image_scope'"), Is.EqualTo(1L));
    }

    [Test]
    public async Task A_schema_of_version_2_gains_reservations_pins_and_marks_and_keeps_its_leases()
    {
        await using (var first = new PostgreSqlCacheEntryStore(_options))
        {
            await first.TryAcquireFillLeaseAsync(Scope, "image-a", "holder", T0, TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        string schema = _options.Schema;
        await PostgresServer.ExecuteAsync(
            $"DROP INDEX {schema}.cache_entries_image_scope; DROP TABLE {schema}.entry_pins, {schema}.entry_marks; ALTER TABLE {schema}.fill_leases DROP COLUMN volume_id, DROP COLUMN size_gb; UPDATE {schema}.schema_version SET version = 2");

        await using var second = new PostgreSqlCacheEntryStore(_options);
        bool reserved = await second.ReserveSpaceAsync(Scope, "image-a", "holder", "volume-a", 3, CancellationToken.None);

        Assert.That(reserved, Is.True, "The lease of version 2 is still held.");
        Assert.That(await second.GetReservedSpaceAsync(Scope, T0, CancellationToken.None), Is.EqualTo(new CacheScopeTotals(1, 3)));
        Assert.That(await PostgresServer.QueryAsync($"SELECT version FROM {schema}.schema_version"), Is.EqualTo(4));
        Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}' AND tablename IN ('entry_pins', 'entry_marks')"), Is.EqualTo(2L));
    }

    [Test]
    public async Task A_schema_with_a_newer_version_is_refused_naming_the_server_and_schema()
    {
        await using (var store = new PostgreSqlCacheEntryStore(_options))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        await PostgresServer.ExecuteAsync($"UPDATE {_options.Schema}.schema_version SET version = 99");
        await using var newer = new PostgreSqlCacheEntryStore(_options);

        CacheEntryStoreException? error = await StoreFailures.OfAsync(() => newer.InitializeAsync(CancellationToken.None));

        Assert.That(error?.Message, Does.Contain("schema version 99").And.Contain($"(schema {_options.Schema})").And.Contain("127.0.0.1"));
        Assert.That(error!.Location, Is.EqualTo(newer.Location));
    }

    [Test]
    public async Task A_schema_holding_tables_of_another_application_is_refused_and_left_as_it_was()
    {
        await PostgresServer.ExecuteAsync($"CREATE SCHEMA {_options.Schema}; CREATE TABLE {_options.Schema}.orders (id int); INSERT INTO {_options.Schema}.orders VALUES (7)");
        await using var store = new PostgreSqlCacheEntryStore(_options);

        CacheEntryStoreException? error = await StoreFailures.OfAsync(() => store.InitializeAsync(CancellationToken.None));

        Assert.That(error?.Message, Does.Contain($"schema '{_options.Schema}'").And.Contain("not an image-volume cache store's"));
        Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM pg_tables WHERE schemaname = '{_options.Schema}'"), Is.EqualTo(1L));
    }

    [Test]
    public async Task An_existing_empty_schema_is_made_into_a_store()
    {
        await PostgresServer.ExecuteAsync($"CREATE SCHEMA {_options.Schema}");
        await using var store = new PostgreSqlCacheEntryStore(_options);

        ImageCacheEntry? added = await store.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);

        Assert.That(added, Is.Not.Null);
    }
}
