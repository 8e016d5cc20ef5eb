using System.Runtime.InteropServices;
using ImageVolumeCache.Storage;

namespace ImageVolumeCache;

/// <summary>
/// An <see cref="ICacheEntryStore"/> in process memory: the default store. Lookup, touch, insert and remove are O(1)
/// hash look-ups plus an O(1) move in the scope's LRU order (O(log n) for an entry stamped earlier than the newest);
/// totals are kept per scope as entries come and go. The scopes holding entries are also kept per backend, so a lookup
/// across the pools of a backend is one hash look-up per pool. Entries are lost when the process ends; use a durable
/// store for real hosts.
/// </summary>
public sealed class InMemoryCacheEntryStore : ICacheEntryStore, ICacheCoordination
{
    private readonly Storage.InProcessCacheCoordination _coordination;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Scope, string Image), LruIndex.Node> _byKey = [];
    private readonly Dictionary<long, LruIndex.Node> _byId = [];
    private readonly Dictionary<string, LruIndex.Node> _byVolume = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LruIndex> _scopes = new(StringComparer.Ordinal);

    /// <summary>The keys of the scopes in <see cref="_scopes"/> by their backend part (before <c>#</c>), in ordinal order.</summary>
    private readonly Dictionary<string, SortedSet<string>> _scopesByBackend = new(StringComparer.Ordinal);
    private long _nextId;

    /// <summary>Initializes an empty store.</summary>
    public InMemoryCacheEntryStore()
    {
        _coordination = new Storage.InProcessCacheCoordination(IsStored);
    }

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_byKey.TryGetValue((scopeKey, imageId), out LruIndex.Node? node))
            {
                return ValueTask.FromResult<ImageCacheEntry?>(null);
            }

            if (node.Entry.LastUsed.UtcTicks != now.UtcTicks)
            {
                node.Scope.Touch(node, node.Entry with { LastUsed = now });
            }

            return ValueTask.FromResult<ImageCacheEntry?>(node.Entry);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_byKey.GetValueOrDefault((scopeKey, imageId))?.Entry);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_byVolume.GetValueOrDefault(volumeId)?.Entry);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // One hash look-up per index: the slots are claimed, and filled once the entry is known to be new.
            (string, string) key = (entry.ScopeKey, entry.ImageId);
            ref LruIndex.Node? byKey = ref CollectionsMarshal.GetValueRefOrAddDefault(_byKey, key, out bool exists);
            if (exists)
            {
                return ValueTask.FromResult<ImageCacheEntry?>(null);
            }

            ref LruIndex.Node? byVolume = ref CollectionsMarshal.GetValueRefOrAddDefault(_byVolume, entry.VolumeId, out bool volumeTaken);
            if (volumeTaken)
            {
                _byKey.Remove(key);
                throw new InvalidOperationException($"Volume '{entry.VolumeId}' already belongs to a cache entry.");
            }

            ImageCacheEntry stored = entry with { Id = ++_nextId };
            ref LruIndex? scope = ref CollectionsMarshal.GetValueRefOrAddDefault(_scopes, stored.ScopeKey, out _);
            if (scope is null)
            {
                scope = new LruIndex();
                AddScopeToBackend(stored.ScopeKey);
            }

            var node = new LruIndex.Node(stored, scope);
            scope.Add(node);
            byKey = node;
            byVolume = node;
            _byId.Add(stored.Id, node);
            return ValueTask.FromResult<ImageCacheEntry?>(stored);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_byId.Remove(entryId, out LruIndex.Node? node))
            {
                return ValueTask.FromResult(false);
            }

            ImageCacheEntry entry = node.Entry;
            _byKey.Remove((entry.ScopeKey, entry.ImageId));
            _byVolume.Remove(entry.VolumeId);
            node.Scope.Remove(node);
            if (node.Scope.Count == 0)
            {
                RemoveScope(entry.ScopeKey);
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
            return ValueTask.FromResult<IReadOnlyList<ImageCacheEntry>>(
                _scopes.TryGetValue(scopeKey, out LruIndex? scope) ? scope.Oldest(maxCount) : []);
        }
    }

    /// <inheritdoc/>
    public ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_scopes.TryGetValue(scopeKey, out LruIndex? scope)
                ? new CacheScopeTotals(scope.Count, scope.SizeGb)
                : default);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IEnumerable<KeyValuePair<string, LruIndex>> scopes = scopeKey is null
                ? _scopes.OrderBy(s => s.Key, StringComparer.Ordinal)
                : _scopes.Where(s => string.Equals(s.Key, scopeKey, StringComparison.Ordinal));
            var result = scopes.SelectMany(s => s.Value.InOrder()).ToList();
            return ValueTask.FromResult<IReadOnlyList<ImageCacheEntry>>(result);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        if (string.Equals(scopeKey, cluster, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Scope '{scopeKey}' cannot be moved into itself.", nameof(cluster));
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_scopes.TryGetValue(scopeKey, out LruIndex? source))
            {
                return ValueTask.FromResult(ScopeMoveResult.Empty);
            }

            bool targetExists = _scopes.TryGetValue(cluster, out LruIndex? target);
            target ??= new LruIndex();
            var moved = new List<ImageCacheEntry>();
            var conflicts = new List<ImageCacheEntry>();
            foreach (ImageCacheEntry entry in source.InOrder().ToList())
            {
                if (_byKey.ContainsKey((cluster, entry.ImageId)))
                {
                    conflicts.Add(entry);
                    continue;
                }

                (string, string) from = (scopeKey, entry.ImageId);
                LruIndex.Node node = _byKey[from];
                _byKey.Remove(from);
                source.Remove(node);
                node.Entry = entry with { ScopeKey = cluster, Cluster = cluster };
                node.Scope = target;
                target.Add(node);
                _byKey.Add((cluster, entry.ImageId), node);
                moved.Add(node.Entry);
            }

            if (!targetExists && target.Count > 0)
            {
                _scopes.Add(cluster, target);
                AddScopeToBackend(cluster);
            }

            if (source.Count == 0)
            {
                RemoveScope(scopeKey);
            }

            return ValueTask.FromResult(new ScopeMoveResult(moved, conflicts));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scopeKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_scopesByBackend.TryGetValue(BackendNames.FromHost(scopeKey), out SortedSet<string>? scopes))
            {
                return ValueTask.FromResult<IReadOnlyList<ImageCacheEntry>>([]);
            }

            List<ImageCacheEntry>? found = null;
            foreach (string scope in scopes)
            {
                if (!string.Equals(scope, scopeKey, StringComparison.Ordinal) && _byKey.TryGetValue((scope, imageId), out LruIndex.Node? node))
                {
                    (found ??= []).Add(node.Entry);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<ImageCacheEntry>>(found ?? []);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        _coordination.TryAcquireFillLeaseAsync(scopeKey, imageId, holder, now, duration, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> RenewFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        _coordination.RenewFillLeaseAsync(scopeKey, imageId, holder, now, duration, cancellationToken);

    /// <inheritdoc/>
    public ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken) =>
        _coordination.ReleaseFillLeaseAsync(scopeKey, imageId, holder, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> ReserveSpaceAsync(string scopeKey, string imageId, string holder, string volumeId, int sizeGb, CancellationToken cancellationToken) =>
        _coordination.ReserveSpaceAsync(scopeKey, imageId, holder, volumeId, sizeGb, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<CacheScopeTotals> GetReservedSpaceAsync(string scopeKey, DateTimeOffset now, CancellationToken cancellationToken) =>
        _coordination.GetReservedSpaceAsync(scopeKey, now, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> IsVolumeInUseAsync(string volumeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _coordination.IsVolumeInUseAsync(volumeId, now, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> TryAcquireScopeLockAsync(string scopeKey, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        _coordination.TryAcquireScopeLockAsync(scopeKey, holder, now, duration, cancellationToken);

    /// <inheritdoc/>
    public ValueTask ReleaseScopeLockAsync(string scopeKey, string holder, CancellationToken cancellationToken) =>
        _coordination.ReleaseScopeLockAsync(scopeKey, holder, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> TryPinEntryAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        _coordination.TryPinEntryAsync(entryId, pin, now, duration, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> RenewPinAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        _coordination.RenewPinAsync(entryId, pin, now, duration, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> ReleasePinAsync(long entryId, string pin, DateTimeOffset now, CancellationToken cancellationToken) =>
        _coordination.ReleasePinAsync(entryId, pin, now, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> TryBeginRemovalAsync(long entryId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        _coordination.TryBeginRemovalAsync(entryId, holder, now, duration, cancellationToken);

    /// <inheritdoc/>
    public ValueTask EndRemovalAsync(long entryId, string holder, CancellationToken cancellationToken) =>
        _coordination.EndRemovalAsync(entryId, holder, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> TryRetireEntryAsync(long entryId, string volumeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _coordination.TryRetireEntryAsync(entryId, volumeId, now, cancellationToken);

    private void AddScopeToBackend(string scopeKey)
    {
        ref SortedSet<string>? scopes = ref CollectionsMarshal.GetValueRefOrAddDefault(_scopesByBackend, BackendNames.FromHost(scopeKey), out _);
        (scopes ??= new SortedSet<string>(StringComparer.Ordinal)).Add(scopeKey);
    }

    private void RemoveScope(string scopeKey)
    {
        _scopes.Remove(scopeKey);
        string backend = BackendNames.FromHost(scopeKey);
        if (_scopesByBackend.TryGetValue(backend, out SortedSet<string>? scopes) && scopes.Remove(scopeKey) && scopes.Count == 0)
        {
            _scopesByBackend.Remove(backend);
        }
    }

    private bool IsStored(long entryId)
    {
        lock (_lock)
        {
            return _byId.ContainsKey(entryId);
        }
    }
}
