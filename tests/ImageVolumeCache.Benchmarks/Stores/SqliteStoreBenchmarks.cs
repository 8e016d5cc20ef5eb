using BenchmarkDotNet.Attributes;
using ImageVolumeCache.Sqlite;

namespace ImageVolumeCache.Benchmarks.Stores;

/// <summary>The SQLite store on a file in a new temporary folder, from 1,000 to 100,000 entries.</summary>
public class SqliteStoreBenchmarks : CacheEntryStoreBenchmarks
{
    private string? _folder;

    [Params(1_000, 10_000, 100_000)]
    public override int Entries { get; set; }

    protected override ICacheEntryStore CreateStore()
    {
        _folder = Directory.CreateTempSubdirectory("imagevolumecache-bench-").FullName;
        return new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = Path.Combine(_folder, "entries.db") });
    }

    protected override void DisposeStore(ICacheEntryStore store)
    {
        base.DisposeStore(store);
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
