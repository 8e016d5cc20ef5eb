using ImageVolumeCache.PostgreSql.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>The coordination contract on the test server, each test in a new schema dropped afterwards.</summary>
public sealed class PostgreSqlCacheCoordinationContractTests : CacheCoordinationContractTests<PostgreSqlCacheEntryStore>
{
    protected override PostgreSqlCacheEntryStore CreateCoordination() => new(PostgresServer.NewStoreOptions());

    protected override ValueTask DisposeCoordinationAsync(PostgreSqlCacheEntryStore coordination) => PostgresServer.DisposeStoreAsync(coordination);
}
