using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

public sealed class SqliteCacheEntryStoreContractTests : CacheEntryStoreContractTests<SqliteCacheEntryStore>
{
    private readonly List<TemporaryDirectory> _folders = [];

    protected override SqliteCacheEntryStore CreateStore()
    {
        var folder = new TemporaryDirectory();
        _folders.Add(folder);
        return new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = folder.Combine("entries.db") });
    }

    protected override async ValueTask DisposeStoreAsync(SqliteCacheEntryStore store)
    {
        await base.DisposeStoreAsync(store);
        foreach (TemporaryDirectory folder in _folders)
        {
            folder.Dispose();
        }

        _folders.Clear();
    }
}
