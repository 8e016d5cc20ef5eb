using ImageVolumeCache.PostgreSql.Tests.Support;
using static ImageVolumeCache.PostgreSql.Tests.Support.StoreEntries;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>
/// A row whose values the store cannot use (tampered with, or written by a bug) fails the one call that meets it with a
/// <see cref="CacheEntryStoreException"/> naming the server and the entry, and is quarantined: moved out of service into
/// a table of its own, so that the same call made again succeeds.
/// </summary>
public sealed class PostgreSqlBadRowTests
{
    private PostgreSqlCacheEntryStore _store = null!;
    private ImageCacheEntry _bad = null!;
    private ImageCacheEntry _good = null!;

    [SetUp]
    public async Task OpenAStoreWithTwoEntries()
    {
        _store = new PostgreSqlCacheEntryStore(PostgresServer.NewStoreOptions());
        _bad = (await _store.TryAddAsync(Entry("image-a", "volume-a", sizeGb: 3), CancellationToken.None))!;
        _good = (await _store.TryAddAsync(Entry("image-b", "volume-b", sizeGb: 5), CancellationToken.None))!;
    }

    [TearDown]
    public async Task DropTheStore()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            await PostgresServer.DropSchemaAsync(_store.Schema);
        }
    }

    [TestCase("size_gb = 3000000000", "size_gb 3000000000")]
    [TestCase("size_gb = -5", "size_gb -5")]
    [TestCase("size_gb = 0", "size_gb 0")]
    [TestCase("image_updated_at = 9223372036854775807", "image_updated_at 9223372036854775807")]
    [TestCase("created_at = -1", "created_at -1")]
    [TestCase("last_used = -1", "last_used -1")]
    [TestCase("volume_id = ''", "volume_id is empty")]
    [TestCase("host = 'host2@lvm'", "is not the scope of host 'host2@lvm'")]
    [TestCase("cluster = 'cluster-1'", "and cluster 'cluster-1'")]
    public async Task A_row_with_a_value_the_store_cannot_use_fails_the_lookup_naming_the_server_and_the_entry(string tampering, string reason)
    {
        await TamperAsync(tampering);

        CacheEntryStoreException? error = await StoreFailures.OfAsync(() => _store.GetAsync(Scope, "image-a", CancellationToken.None));

        Assert.That(error?.Message, Does.Contain(_store.Location).And.Contain($"entry {_bad.Id}: ").And.Contain(reason));
        Assert.That(error!.QuarantinedEntryIds, Is.EqualTo(new[] { _bad.Id }));
    }

    [TestCase(nameof(ICacheEntryStore.GetAndTouchAsync))]
    [TestCase(nameof(ICacheEntryStore.GetAsync))]
    [TestCase(nameof(ICacheEntryStore.FindByVolumeIdAsync))]
    [TestCase(nameof(ICacheEntryStore.GetLeastRecentlyUsedAsync))]
    [TestCase(nameof(ICacheEntryStore.ListAsync))]
    public async Task Every_read_that_meets_a_bad_row_quarantines_it(string operation)
    {
        await TamperAsync("size_gb = 3000000000");

        CacheEntryStoreException? error = await StoreFailures.OfAsync(() => Read(operation));

        Assert.That(error?.QuarantinedEntryIds, Is.EqualTo(new[] { _bad.Id }));
    }

    [Test]
    public async Task The_same_call_made_again_succeeds_without_the_quarantined_row()
    {
        await TamperAsync("image_updated_at = 9223372036854775807");
        await StoreFailures.OfAsync(() => _store.ListAsync(Scope, CancellationToken.None));

        IReadOnlyList<ImageCacheEntry> entries = await _store.ListAsync(Scope, CancellationToken.None);

        Assert.That(entries, Is.EqualTo(new[] { _good }));
        Assert.That(await _store.GetAndTouchAsync(Scope, "image-a", T0, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_quarantined_row_leaves_the_totals_of_the_rows_that_remain()
    {
        await TamperAsync("size_gb = 3000000000");
        await StoreFailures.OfAsync(() => _store.GetAsync(Scope, "image-a", CancellationToken.None));

        CacheScopeTotals totals = await _store.GetTotalsAsync(Scope, CancellationToken.None);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(1, 5)));
    }

    [Test]
    public async Task A_quarantined_row_is_kept_with_its_values_and_the_reason()
    {
        await TamperAsync("size_gb = 3000000000");
        await StoreFailures.OfAsync(() => _store.GetAsync(Scope, "image-a", CancellationToken.None));

        string where = $"FROM {_store.Schema}.quarantined_entries WHERE id = {_bad.Id}";
        Assert.That(await PostgresServer.QueryAsync($"SELECT size_gb {where}"), Is.EqualTo(3_000_000_000L));
        Assert.That(await PostgresServer.QueryAsync($"SELECT volume_id {where}"), Is.EqualTo("volume-a"));
        Assert.That(await PostgresServer.QueryAsync($"SELECT reason {where}"), Does.Contain("size_gb"));
    }

    [Test]
    public async Task Totals_that_cannot_be_right_are_recomputed_from_the_entries()
    {
        await PostgresServer.ExecuteAsync($"UPDATE {_store.Schema}.scope_totals SET entry_count = -40");

        CacheScopeTotals totals = await _store.GetTotalsAsync(Scope, CancellationToken.None);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(2, 8)));
    }

    [Test]
    public async Task An_entry_whose_scope_key_is_not_the_scope_of_its_host_is_refused_before_it_is_stored()
    {
        await Assert.ThatAsync(
            async () => await _store.TryAddAsync(Entry("image-c", "volume-c") with { ScopeKey = "elsewhere" }, CancellationToken.None),
            Throws.ArgumentException);
        Assert.That(await _store.GetTotalsAsync("elsewhere", CancellationToken.None), Is.EqualTo(default(CacheScopeTotals)));
    }

    private Task TamperAsync(string assignment) =>
        PostgresServer.ExecuteAsync($"UPDATE {_store.Schema}.cache_entries SET {assignment} WHERE id = {_bad.Id}");

    private async ValueTask<object?> Read(string operation) => operation switch
    {
        nameof(ICacheEntryStore.GetAndTouchAsync) => await _store.GetAndTouchAsync(Scope, "image-a", T0, CancellationToken.None),
        nameof(ICacheEntryStore.GetAsync) => await _store.GetAsync(Scope, "image-a", CancellationToken.None),
        nameof(ICacheEntryStore.FindByVolumeIdAsync) => await _store.FindByVolumeIdAsync("volume-a", CancellationToken.None),
        nameof(ICacheEntryStore.GetLeastRecentlyUsedAsync) => await _store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None),
        _ => await _store.ListAsync(null, CancellationToken.None),
    };
}
