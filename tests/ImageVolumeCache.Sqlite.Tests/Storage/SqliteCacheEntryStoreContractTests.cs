using ImageVolumeCache.Sqlite.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

public sealed class SqliteCacheEntryStoreContractTests : CacheEntryStoreContractTests<SqliteCacheEntryStore>
{
    private readonly List<TempDirectory> _folders = [];

    protected override SqliteCacheEntryStore CreateStore()
    {
        var folder = new TempDirectory();
        _folders.Add(folder);
        return new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = folder.File("entries.db") });
    }

    protected override async ValueTask DisposeStoreAsync(SqliteCacheEntryStore store)
    {
        await base.DisposeStoreAsync(store);
        foreach (TempDirectory folder in _folders)
        {
            folder.Dispose();
        }

        _folders.Clear();
    }
}
