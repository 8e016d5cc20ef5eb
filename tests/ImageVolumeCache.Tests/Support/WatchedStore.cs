namespace ImageVolumeCache.Tests.Support;

/// <summary>
/// The in-memory store and coordination, with hooks and counts: look-ups, fill-lease attempts (a hook before each), pins
/// taken and given back, and a renewal that can be made to lose the lease.
/// </summary>
internal sealed class WatchedStore : ICacheEntryStore, ICacheCoordination
{
    private readonly InMemoryCacheEntryStore _inner = new();

    public Action? Refused { get; set; }

    public bool LoseOnRenew { get; init; }

    /// <summary>Runs before each attempt at a fill lease, given the attempt's number (from 1), before the attempt reaches the store.</summary>
    public Func<int, Task>? BeforeAttempt { get; set; }

    private int _attempts;

    /// <summary>How many look-ups (<see cref="GetAndTouchAsync"/>) reached the store.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    private int _lookups;

    public ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        return _inner.GetAndTouchAsync(scopeKey, imageId, now, cancellationToken);
    }

    public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken) => _inner.GetAsync(scopeKey, imageId, cancellationToken);

    public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken) => _inner.FindByVolumeIdAsync(volumeId, cancellationToken);

    public ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken) => _inner.TryAddAsync(entry, cancellationToken);

    public ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken) => _inner.RemoveAsync(entryId, cancellationToken);

    public ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken) => _inner.GetLeastRecentlyUsedAsync(scopeKey, maxCount, cancellationToken);

    public ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken) => _inner.GetTotalsAsync(scopeKey, cancellationToken);

    public ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken) => _inner.ListAsync(scopeKey, cancellationToken);

    public ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken) => _inner.MoveToClusterAsync(scopeKey, cluster, cancellationToken);

    public ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken) => _inner.FindInOtherPoolsAsync(scopeKey, imageId, cancellationToken);

    public async ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        int attempt = Interlocked.Increment(ref _attempts);
        if (BeforeAttempt is { } before)
        {
            await before(attempt);
        }

        bool taken = await _inner.TryAcquireFillLeaseAsync(scopeKey, imageId, holder, now, duration, cancellationToken);
        if (!taken)
        {
            Refused?.Invoke();
        }

        return taken;
    }

    public ValueTask<bool> RenewFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        LoseOnRenew ? ValueTask.FromResult(false) : _inner.RenewFillLeaseAsync(scopeKey, imageId, holder, now, duration, cancellationToken);

    public ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken) =>
        _inner.ReleaseFillLeaseAsync(scopeKey, imageId, holder, cancellationToken);

    public ValueTask<bool> ReserveSpaceAsync(string scopeKey, string imageId, string holder, string volumeId, int sizeGb, CancellationToken cancellationToken) => _inner.ReserveSpaceAsync(scopeKey, imageId, holder, volumeId, sizeGb, cancellationToken);

    public ValueTask<CacheScopeTotals> GetReservedSpaceAsync(string scopeKey, DateTimeOffset now, CancellationToken cancellationToken) => _inner.GetReservedSpaceAsync(scopeKey, now, cancellationToken);

    public ValueTask<bool> IsVolumeInUseAsync(string volumeId, DateTimeOffset now, CancellationToken cancellationToken) => _inner.IsVolumeInUseAsync(volumeId, now, cancellationToken);

    public ValueTask<bool> TryAcquireScopeLockAsync(string scopeKey, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) => _inner.TryAcquireScopeLockAsync(scopeKey, holder, now, duration, cancellationToken);

    public ValueTask ReleaseScopeLockAsync(string scopeKey, string holder, CancellationToken cancellationToken) => _inner.ReleaseScopeLockAsync(scopeKey, holder, cancellationToken);

    /// <summary>How many pins were asked of the store (<see cref="TryPinEntryAsync"/>).</summary>
    public int PinsTaken => Volatile.Read(ref _pinsTaken);

    private int _pinsTaken;

    /// <summary>How many pins were given back to the store (<see cref="ReleasePinAsync"/>).</summary>
    public int PinsReleased => Volatile.Read(ref _pinsReleased);

    private int _pinsReleased;

    public ValueTask<bool> TryPinEntryAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pinsTaken);
        return _inner.TryPinEntryAsync(entryId, pin, now, duration, cancellationToken);
    }

    /// <summary>Whether every pin renewal finds the pin gone (it ran out, say).</summary>
    public bool LosePinsOnRenew { get; init; }

    /// <summary>How many pin renewals reached the store.</summary>
    public int PinRenewals => Volatile.Read(ref _pinRenewals);

    private int _pinRenewals;

    /// <summary>Whether every pin renewal fails (the store cannot be reached, say).</summary>
    public bool FailPinRenewals { get; init; }

    public ValueTask<bool> RenewPinAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pinRenewals);
        if (FailPinRenewals)
        {
            throw new CacheEntryStoreException("watched-store", "The store cannot be reached.", new IOException("down"));
        }

        return LosePinsOnRenew ? ValueTask.FromResult(false) : _inner.RenewPinAsync(entryId, pin, now, duration, cancellationToken);
    }

    public ValueTask<bool> ReleasePinAsync(long entryId, string pin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pinsReleased);
        return _inner.ReleasePinAsync(entryId, pin, now, cancellationToken);
    }

    public ValueTask<bool> TryBeginRemovalAsync(long entryId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) => _inner.TryBeginRemovalAsync(entryId, holder, now, duration, cancellationToken);

    public ValueTask EndRemovalAsync(long entryId, string holder, CancellationToken cancellationToken) => _inner.EndRemovalAsync(entryId, holder, cancellationToken);

    /// <summary>Runs before each retirement reaches the store.</summary>
    public Func<Task>? BeforeRetire { get; set; }

    public async ValueTask<bool> TryRetireEntryAsync(long entryId, string volumeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (BeforeRetire is { } before)
        {
            await before();
        }

        return await _inner.TryRetireEntryAsync(entryId, volumeId, now, cancellationToken);
    }
}
