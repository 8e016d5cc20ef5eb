using ImageVolumeCache.PostgreSql.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>The store contract on the test server, each test in a new schema dropped afterwards.</summary>
public sealed class PostgreSqlCacheEntryStoreContractTests : CacheEntryStoreContractTests<PostgreSqlCacheEntryStore>
{
    protected override PostgreSqlCacheEntryStore CreateStore() => new(PostgresServer.NewStoreOptions());

    protected override async ValueTask DisposeStoreAsync(PostgreSqlCacheEntryStore store)
    {
        if (store is null)
        {
            return; // the server was missing and the test ignored (or failed) before a store was made
        }

        await base.DisposeStoreAsync(store);
        await PostgresServer.DropSchemaAsync(store.Schema);
    }
}
