using BenchmarkDotNet.Attributes;

namespace ImageVolumeCache.Benchmarks.Stores;

/// <summary>The in-memory store, from 1,000 to 1,000,000 entries.</summary>
public class InMemoryStoreBenchmarks : CacheEntryStoreBenchmarks
{
    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public override int Entries { get; set; }

    protected override ICacheEntryStore CreateStore() => new InMemoryCacheEntryStore();
}
