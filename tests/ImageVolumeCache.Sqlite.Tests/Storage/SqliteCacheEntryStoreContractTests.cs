using ImageVolumeCache.Sqlite.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

public sealed class SqliteCacheEntryStoreContractTests : CacheEntryStoreContractTests<SqliteCacheEntryStore>
{
    private readonly TemporaryStores _stores = new();

    protected override SqliteCacheEntryStore CreateStore() => _stores.Create();

    protected override ValueTask DisposeStoreAsync(SqliteCacheEntryStore store) => _stores.DisposeAsync(store);
}
