using BenchmarkDotNet.Attributes;

namespace ImageVolumeCache.Benchmarks.Stores;

/// <summary>
/// The bookkeeping of an <see cref="ICacheEntryStore"/> at <see cref="Entries"/> existing entries in one scope, the
/// three operations a request can need: lookup-and-touch (a hit), insert (a miss that makes an entry), and evict-one
/// (making room: the least recently used entry is found and removed). A store is benchmarked by a subclass that says
/// how to make it and at which sizes.
/// </summary>
/// <remarks>
/// Insert and evict-one change the number of entries, so they run in batches of <see cref="Batch"/> operations, one
/// batch per iteration, and the entries are put back between iterations, untimed: what is timed is exactly the
/// operation. Entries' last-use times are one second apart, so the LRU order is total, as in Cinder's peer benchmark.
/// </remarks>
[MemoryDiagnoser]
public abstract class CacheEntryStoreBenchmarks
{
    /// <summary>Operations per timed batch of insert and evict-one.</summary>
    protected const int Batch = 100;

    protected const string Host = "bench@store#pool";

    private const int RandomKeys = 4096;
    private static readonly long EpochTicks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
    private static readonly DateTimeOffset ImageUpdatedAt = new(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private ICacheEntryStore _store = null!;
    private string[] _imageIds = [];
    private int[] _randomIndexes = [];
    private int _nextRandom;
    private long _clock;
    private long _nextKey;
    private readonly ImageCacheEntry[] _pending = new ImageCacheEntry[Batch];
    private readonly List<long> _added = new(Batch);
    private int _evicted;

    /// <summary>The number of entries in the scope; subclasses put their sizes on it with <c>[Params]</c>.</summary>
    public abstract int Entries { get; set; }

    /// <summary>Makes an empty store.</summary>
    protected abstract ICacheEntryStore CreateStore();

    /// <summary>Fills the store before measuring; a store with a faster bulk load may override it.</summary>
    protected virtual void Populate(ICacheEntryStore store, IEnumerable<ImageCacheEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(entries);
        foreach (ImageCacheEntry entry in entries)
        {
            _ = Wait(store.TryAddAsync(entry, CancellationToken.None)) ?? throw new InvalidOperationException($"Entry for '{entry.ImageId}' was not added.");
        }
    }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _store = CreateStore();
        _imageIds = new string[Entries];
        for (int i = 0; i < Entries; i++)
        {
            _imageIds[i] = ImageId(i);
        }

        Populate(_store, _imageIds.Select(id => NewEntry(id)));
        _nextKey = Entries;
        var random = new Random(Entries);
        _randomIndexes = [.. Enumerable.Range(0, RandomKeys).Select(_ => random.Next(Entries))];
        CacheScopeTotals totals = Wait(_store.GetTotalsAsync(Host, CancellationToken.None));
        if (totals.Count != Entries)
        {
            throw new InvalidOperationException($"The store holds {totals.Count} entries, not {Entries}.");
        }

        // Insert and evict-one run one batch per iteration: too few calls for the tiered JIT to have optimized the
        // store's code before it is measured. Run every operation now, with pauses for the JIT's background compiles.
        for (int round = 0; round < 3; round++)
        {
            WarmUp();
            Thread.Sleep(200);
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup() => DisposeStore(_store);

    /// <summary>Disposes the store after the last measurement; a store with files to remove may override it.</summary>
    protected virtual void DisposeStore(ICacheEntryStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>A hit: finds a random existing entry and sets its last use to now (always later than any before).</summary>
    [Benchmark]
    public ValueTask<ImageCacheEntry?> LookupAndTouch()
    {
        string imageId = _imageIds[_randomIndexes[_nextRandom++ & (RandomKeys - 1)]];
        return _store.GetAndTouchAsync(Host, imageId, NextNow(), CancellationToken.None);
    }

    [IterationSetup(Target = nameof(Insert))]
    public void PrepareInsert()
    {
        for (int i = 0; i < Batch; i++)
        {
            _pending[i] = NewEntry(ImageId(_nextKey++));
        }
    }

    /// <summary>A miss that makes an entry: <see cref="Batch"/> inserts of new images; removed again after the iteration.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async ValueTask Insert()
    {
        foreach (ImageCacheEntry entry in _pending)
        {
            ImageCacheEntry? stored = await _store.TryAddAsync(entry, CancellationToken.None).ConfigureAwait(false);
            _added.Add(stored!.Id);
        }
    }

    [IterationCleanup(Target = nameof(Insert))]
    public void UndoInsert()
    {
        foreach (long id in _added)
        {
            Wait(_store.RemoveAsync(id, CancellationToken.None));
        }

        _added.Clear();
    }

    /// <summary>
    /// Making room for one entry: the least recently used entry is found and removed, <see cref="Batch"/> times;
    /// as many new entries are added after the iteration, so the scope keeps its size.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async ValueTask EvictOne()
    {
        for (int i = 0; i < Batch; i++)
        {
            IReadOnlyList<ImageCacheEntry> oldest = await _store.GetLeastRecentlyUsedAsync(Host, 1, CancellationToken.None).ConfigureAwait(false);
            if (await _store.RemoveAsync(oldest[0].Id, CancellationToken.None).ConfigureAwait(false))
            {
                _evicted++;
            }
        }
    }

    [IterationCleanup(Target = nameof(EvictOne))]
    public void UndoEvictOne()
    {
        for (; _evicted > 0; _evicted--)
        {
            _ = Wait(_store.TryAddAsync(NewEntry(ImageId(_nextKey++)), CancellationToken.None));
        }
    }

    private void WarmUp()
    {
        for (int i = 0; i < 2 * Batch; i++)
        {
            _ = Wait(LookupAndTouch());
        }

        PrepareInsert();
        Insert().AsTask().GetAwaiter().GetResult();
        UndoInsert();
        EvictOne().AsTask().GetAwaiter().GetResult();
        UndoEvictOne();
    }

    protected static string ImageId(long key) => "image-" + key.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private ImageCacheEntry NewEntry(string imageId)
    {
        DateTimeOffset now = NextNow();
        return new ImageCacheEntry(0, Host, Host, null, imageId, ImageUpdatedAt, "volume-" + imageId, 1, now, now);
    }

    /// <summary>A clock that moves one second per use, so every touch and every new entry is the most recent.</summary>
    private DateTimeOffset NextNow() => new(EpochTicks + (++_clock * TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
