using ImageVolumeCache.Sqlite.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

/// <summary>The store contract on a new file per test, touches written behind (the default).</summary>
public sealed class SqliteCacheEntryStoreContractTests : CacheEntryStoreContractTests<SqliteCacheEntryStore>
{
    private readonly TemporaryStores _stores = new();

    protected override SqliteCacheEntryStore CreateStore() => _stores.Create();

    protected override ValueTask DisposeStoreAsync(SqliteCacheEntryStore store) => _stores.DisposeAsync(store);

    protected override SqliteCacheEntryStore OpenSameData() => new(new SqliteCacheEntryStoreOptions { DatabasePath = Store.DatabasePath });
}

/// <summary>The store contract on a new file per test, each touch written with its lookup (<c>TouchWriteInterval</c> 0).</summary>
public sealed class SqliteCacheEntryStoreWrittenThroughContractTests : CacheEntryStoreContractTests<SqliteCacheEntryStore>
{
    private readonly TemporaryStores _stores = new(TimeSpan.Zero);

    protected override SqliteCacheEntryStore CreateStore() => _stores.Create();

    protected override ValueTask DisposeStoreAsync(SqliteCacheEntryStore store) => _stores.DisposeAsync(store);

    protected override SqliteCacheEntryStore OpenSameData() =>
        new(new SqliteCacheEntryStoreOptions { DatabasePath = Store.DatabasePath, TouchWriteInterval = TimeSpan.Zero });
}
