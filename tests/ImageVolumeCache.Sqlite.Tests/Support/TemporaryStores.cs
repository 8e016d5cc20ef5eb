namespace ImageVolumeCache.Sqlite.Tests.Support;

/// <summary>Stores for the contract suites, each on a new file in a temporary folder that goes with the store.</summary>
internal sealed class TemporaryStores(TimeSpan? touchWriteInterval = null)
{
    private readonly List<TemporaryDirectory> _folders = [];

    public SqliteCacheEntryStore Create()
    {
        var folder = new TemporaryDirectory();
        _folders.Add(folder);
        return new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions
        {
            DatabasePath = folder.Combine("entries.db"),
            TouchWriteInterval = touchWriteInterval ?? new SqliteCacheEntryStoreOptions().TouchWriteInterval,
        });
    }

    /// <summary>Closes a store and deletes the folders of every store made so far.</summary>
    public async ValueTask DisposeAsync(SqliteCacheEntryStore store)
    {
        await store.DisposeAsync();
        foreach (TemporaryDirectory folder in _folders)
        {
            folder.Dispose();
        }

        _folders.Clear();
    }
}
