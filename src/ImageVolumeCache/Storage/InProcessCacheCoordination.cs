namespace ImageVolumeCache.Storage;

/// <summary>
/// Fill leases in one process's memory: the coordination of the in-memory store, and of any store that does not
/// coordinate itself (its users then coordinate inside each process only).
/// </summary>
internal sealed class InProcessCacheCoordination : ICacheCoordination
{
    private readonly Dictionary<(string ScopeKey, string ImageId), Lease> _leases = [];

    public ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        Check(scopeKey, imageId, holder, duration);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (_leases.TryGetValue((scopeKey, imageId), out Lease held) && held.Holder != holder && held.ExpiresAt > now)
            {
                return ValueTask.FromResult(false);
            }

            _leases[(scopeKey, imageId)] = new Lease(holder, now + duration);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> RenewFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        Check(scopeKey, imageId, holder, duration);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (!_leases.TryGetValue((scopeKey, imageId), out Lease held) || held.Holder != holder)
            {
                return ValueTask.FromResult(false);
            }

            _leases[(scopeKey, imageId)] = held with { ExpiresAt = now + duration };
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (_leases.TryGetValue((scopeKey, imageId), out Lease held) && held.Holder == holder)
            {
                _leases.Remove((scopeKey, imageId));
            }
        }

        return ValueTask.CompletedTask;
    }

    private static void Check(string scopeKey, string imageId, string holder, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
    }

    private readonly record struct Lease(string Holder, DateTimeOffset ExpiresAt);
}
