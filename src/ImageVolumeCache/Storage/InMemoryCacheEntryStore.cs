namespace ImageVolumeCache;

/// <summary>
/// An <see cref="ICacheEntryStore"/> in process memory: the default store. Lookup, touch, insert and remove are O(1)
/// hash look-ups plus an O(log n) re-order in the scope's LRU index; totals are kept per scope as entries come and go.
/// Entries are lost when the process ends; use a durable store for real hosts.
/// </summary>
public sealed class InMemoryCacheEntryStore : ICacheEntryStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Scope, string Image), ImageCacheEntry> _byKey = [];
    private readonly Dictionary<long, ImageCacheEntry> _byId = [];
    private readonly Dictionary<string, ImageCacheEntry> _byVolume = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScopeIndex> _scopes = new(StringComparer.Ordinal);
    private long _nextId;

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_byKey.TryGetValue((scopeKey, imageId), out ImageCacheEntry? entry))
            {
                return ValueTask.FromResult<ImageCacheEntry?>(null);
            }

            if (entry.LastUsed.UtcTicks != now.UtcTicks)
            {
                ScopeIndex scope = _scopes[scopeKey];
                scope.Lru.Remove(entry);
                entry = entry with { LastUsed = now };
                scope.Lru.Add(entry);
                _byKey[(scopeKey, imageId)] = entry;
                _byId[entry.Id] = entry;
                _byVolume[entry.VolumeId] = entry;
            }

            return ValueTask.FromResult<ImageCacheEntry?>(entry);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_byKey.GetValueOrDefault((scopeKey, imageId)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_byVolume.GetValueOrDefault(volumeId));
        }
    }

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_byKey.ContainsKey((entry.ScopeKey, entry.ImageId)))
            {
                return ValueTask.FromResult<ImageCacheEntry?>(null);
            }

            if (_byVolume.ContainsKey(entry.VolumeId))
            {
                throw new InvalidOperationException($"Volume '{entry.VolumeId}' already belongs to a cache entry.");
            }

            ImageCacheEntry stored = entry with { Id = ++_nextId };
            if (!_scopes.TryGetValue(stored.ScopeKey, out ScopeIndex? scope))
            {
                scope = new ScopeIndex();
                _scopes.Add(stored.ScopeKey, scope);
            }

            scope.Lru.Add(stored);
            scope.SizeGb += stored.SizeGb;
            _byKey.Add((stored.ScopeKey, stored.ImageId), stored);
            _byId.Add(stored.Id, stored);
            _byVolume.Add(stored.VolumeId, stored);
            return ValueTask.FromResult<ImageCacheEntry?>(stored);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_byId.Remove(entryId, out ImageCacheEntry? entry))
            {
                return ValueTask.FromResult(false);
            }

            _byKey.Remove((entry.ScopeKey, entry.ImageId));
            _byVolume.Remove(entry.VolumeId);
            ScopeIndex scope = _scopes[entry.ScopeKey];
            scope.Lru.Remove(entry);
            scope.SizeGb -= entry.SizeGb;
            if (scope.Lru.Count == 0)
            {
                _scopes.Remove(entry.ScopeKey);
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_scopes.TryGetValue(scopeKey, out ScopeIndex? scope))
            {
                return ValueTask.FromResult<IReadOnlyList<ImageCacheEntry>>([]);
            }

            var result = new List<ImageCacheEntry>(Math.Min(maxCount, scope.Lru.Count));
            foreach (ImageCacheEntry entry in scope.Lru)
            {
                if (result.Count == maxCount)
                {
                    break;
                }

                result.Add(entry);
            }

            return ValueTask.FromResult<IReadOnlyList<ImageCacheEntry>>(result);
        }
    }

    /// <inheritdoc/>
    public ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_scopes.TryGetValue(scopeKey, out ScopeIndex? scope)
                ? new CacheScopeTotals(scope.Lru.Count, scope.SizeGb)
                : default);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IEnumerable<KeyValuePair<string, ScopeIndex>> scopes = scopeKey is null
                ? _scopes.OrderBy(s => s.Key, StringComparer.Ordinal)
                : _scopes.Where(s => string.Equals(s.Key, scopeKey, StringComparison.Ordinal));
            var result = scopes.SelectMany(s => s.Value.Lru).ToList();
            return ValueTask.FromResult<IReadOnlyList<ImageCacheEntry>>(result);
        }
    }

    /// <summary>One scope's entries in LRU order, and their total size.</summary>
    private sealed class ScopeIndex
    {
        public SortedSet<ImageCacheEntry> Lru { get; } = new(LruComparer.Instance);

        public long SizeGb { get; set; }
    }

    /// <summary>Orders entries by last use, then id: the order every store returns eviction candidates in.</summary>
    private sealed class LruComparer : IComparer<ImageCacheEntry>
    {
        public static readonly LruComparer Instance = new();

        public int Compare(ImageCacheEntry? x, ImageCacheEntry? y)
        {
            int byTime = x!.LastUsed.UtcTicks.CompareTo(y!.LastUsed.UtcTicks);
            return byTime != 0 ? byTime : x.Id.CompareTo(y.Id);
        }
    }
}
