using ImageVolumeCache.Sqlite.Tests.Support;
using static ImageVolumeCache.Sqlite.Tests.Support.StoreEntries;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

/// <summary>
/// A row whose values the store cannot use (tampered with, or written by a bug) fails the one call that meets it with a
/// <see cref="CacheEntryStoreException"/> naming the file and the entry, and is quarantined: moved out of service into
/// a table of its own, so that the same call made again succeeds.
/// </summary>
public sealed class SqliteBadRowTests : TempFolderTests
{
    private string _path = null!;
    private SqliteCacheEntryStore _store = null!;
    private ImageCacheEntry _bad = null!;
    private ImageCacheEntry _good = null!;

    [SetUp]
    public async Task OpenAStoreWithTwoEntries()
    {
        _path = Folder.Combine("cache.db");
        _store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _path });
        _bad = (await _store.TryAddAsync(Entry("image-a", "volume-a", sizeGb: 3), CancellationToken.None))!;
        _good = (await _store.TryAddAsync(Entry("image-b", "volume-b", sizeGb: 5), CancellationToken.None))!;
    }

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [TestCase("size_gb = 3000000000")]
    [TestCase("size_gb = -5")]
    [TestCase("size_gb = 0")]
    [TestCase("image_updated_at = 9223372036854775807")]
    [TestCase("created_at = -1")]
    [TestCase("last_used = 'yesterday'")]
    [TestCase("volume_id = ''")]
    [TestCase("host = 'host2@lvm'")]
    [TestCase("cluster = 'cluster-1'")]
    public async Task A_row_with_a_value_the_store_cannot_use_fails_the_lookup_naming_the_file_and_the_entry(string tampering)
    {
        Tamper(tampering);

        CacheEntryStoreException? error = await FailureAsync(() => _store.GetAsync(Scope, "image-a", CancellationToken.None));

        Assert.That(error?.Message, Does.Contain(_path).And.Contain($"entry {_bad.Id}"));
        Assert.That(error!.QuarantinedEntryIds, Is.EqualTo(new[] { _bad.Id }));
    }

    [TestCase(nameof(ICacheEntryStore.GetAndTouchAsync))]
    [TestCase(nameof(ICacheEntryStore.GetAsync))]
    [TestCase(nameof(ICacheEntryStore.FindByVolumeIdAsync))]
    [TestCase(nameof(ICacheEntryStore.GetLeastRecentlyUsedAsync))]
    [TestCase(nameof(ICacheEntryStore.ListAsync))]
    public async Task Every_read_that_meets_a_bad_row_quarantines_it(string operation)
    {
        Tamper("size_gb = 3000000000");

        CacheEntryStoreException? error = await FailureAsync(() => Read(operation));

        Assert.That(error?.QuarantinedEntryIds, Is.EqualTo(new[] { _bad.Id }));
    }

    [Test]
    public async Task The_same_call_made_again_succeeds_without_the_quarantined_row()
    {
        Tamper("image_updated_at = 9223372036854775807");
        await FailureAsync(() => _store.ListAsync(Scope, CancellationToken.None));

        IReadOnlyList<ImageCacheEntry> entries = await _store.ListAsync(Scope, CancellationToken.None);

        Assert.That(entries, Is.EqualTo(new[] { _good }));
        Assert.That(await _store.GetAndTouchAsync(Scope, "image-a", T0, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_quarantined_row_leaves_the_totals_of_the_rows_that_remain()
    {
        Tamper("size_gb = 3000000000");
        await FailureAsync(() => _store.GetAsync(Scope, "image-a", CancellationToken.None));

        CacheScopeTotals totals = await _store.GetTotalsAsync(Scope, CancellationToken.None);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(1, 5)));
    }

    [Test]
    public async Task A_quarantined_row_is_kept_with_its_values_and_the_reason()
    {
        Tamper("size_gb = 3000000000");
        await FailureAsync(() => _store.GetAsync(Scope, "image-a", CancellationToken.None));

        Assert.That(SqliteFile.Query(_path, $"SELECT size_gb FROM quarantined_entries WHERE id = {_bad.Id}"), Is.EqualTo(3_000_000_000L));
        Assert.That(SqliteFile.Query(_path, $"SELECT volume_id FROM quarantined_entries WHERE id = {_bad.Id}"), Is.EqualTo("volume-a"));
        Assert.That(SqliteFile.Query(_path, $"SELECT reason FROM quarantined_entries WHERE id = {_bad.Id}"), Does.Contain("size_gb"));
    }

    [Test]
    public async Task An_entry_with_a_size_below_one_is_refused_before_it_is_stored()
    {
        await Assert.ThatAsync(
            async () => await _store.TryAddAsync(Entry("image-c", "volume-c", sizeGb: 0), CancellationToken.None),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(await _store.GetTotalsAsync(Scope, CancellationToken.None), Is.EqualTo(new CacheScopeTotals(2, 8)));
    }

    [Test]
    public async Task An_entry_whose_scope_key_is_not_the_scope_of_its_host_is_refused_before_it_is_stored()
    {
        await Assert.ThatAsync(
            async () => await _store.TryAddAsync(Entry("image-c", "volume-c", sizeGb: 1) with { ScopeKey = "elsewhere" }, CancellationToken.None),
            Throws.ArgumentException);
        Assert.That(await _store.GetTotalsAsync("elsewhere", CancellationToken.None), Is.EqualTo(default(CacheScopeTotals)));
    }

    private static async Task<CacheEntryStoreException?> FailureAsync<T>(Func<ValueTask<T>> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (CacheEntryStoreException ex)
        {
            return ex;
        }
    }

    private void Tamper(string assignment) => SqliteFile.Execute(_path, $"UPDATE cache_entries SET {assignment} WHERE id = {_bad.Id}");

    private async ValueTask<object?> Read(string operation) => operation switch
    {
        nameof(ICacheEntryStore.GetAndTouchAsync) => await _store.GetAndTouchAsync(Scope, "image-a", T0, CancellationToken.None),
        nameof(ICacheEntryStore.GetAsync) => await _store.GetAsync(Scope, "image-a", CancellationToken.None),
        nameof(ICacheEntryStore.FindByVolumeIdAsync) => await _store.FindByVolumeIdAsync("volume-a", CancellationToken.None),
        nameof(ICacheEntryStore.GetLeastRecentlyUsedAsync) => await _store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None),
        _ => await _store.ListAsync(null, CancellationToken.None),
    };
}
