using ImageVolumeCache.PostgreSql.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>The store contract on the test server, each test in a new schema dropped afterwards.</summary>
public sealed class PostgreSqlCacheEntryStoreContractTests : CacheEntryStoreContractTests<PostgreSqlCacheEntryStore>
{
    protected override PostgreSqlCacheEntryStore CreateStore() => new(PostgresServer.NewStoreOptions());

    protected override ValueTask DisposeStoreAsync(PostgreSqlCacheEntryStore store) => PostgresServer.DisposeStoreAsync(store);

    protected override PostgreSqlCacheEntryStore OpenSameData() =>
        new(new PostgreSqlCacheEntryStoreOptions { ConnectionString = PostgresServer.Require(), Schema = Store.Schema });
}
