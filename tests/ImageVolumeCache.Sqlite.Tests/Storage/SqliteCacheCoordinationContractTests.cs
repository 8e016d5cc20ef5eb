using ImageVolumeCache.Sqlite.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

public sealed class SqliteCacheCoordinationContractTests : CacheCoordinationContractTests<SqliteCacheEntryStore>
{
    private readonly TemporaryStores _stores = new();

    protected override SqliteCacheEntryStore CreateCoordination() => _stores.Create();

    protected override ValueTask DisposeCoordinationAsync(SqliteCacheEntryStore coordination) => _stores.DisposeAsync(coordination);
}
