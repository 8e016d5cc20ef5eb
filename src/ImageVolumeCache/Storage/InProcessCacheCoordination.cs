namespace ImageVolumeCache.Storage;

/// <summary>
/// Coordination in one process's memory: the coordination of the in-memory store, and of any store that does not
/// coordinate itself (its users then coordinate inside each process only). One lock covers leases, reservations, pins
/// and marks, so each call is atomic against every other.
/// </summary>
/// <param name="isStored">Whether an entry is still stored, asked under the lock by a pin; <see langword="null"/> when the coordination does not know the entries.</param>
internal sealed class InProcessCacheCoordination(Func<long, bool>? isStored = null) : ICacheCoordination
{
    /// <summary>The image id of a scope's lock among the leases: no image has an empty id.</summary>
    private const string ScopeLockImage = "";

    private readonly Dictionary<(string ScopeKey, string ImageId), Lease> _leases = [];
    private readonly Dictionary<long, Dictionary<string, DateTimeOffset>> _pins = [];
    private readonly Dictionary<long, Mark> _marks = [];

    public ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        Check(scopeKey, imageId, holder, duration);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Acquire(scopeKey, imageId, holder, now, duration));
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
        Release(scopeKey, imageId, holder);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> ReserveSpaceAsync(string scopeKey, string imageId, string holder, string volumeId, int sizeGb, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeGb);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (!_leases.TryGetValue((scopeKey, imageId), out Lease held) || held.Holder != holder)
            {
                return ValueTask.FromResult(false);
            }

            _leases[(scopeKey, imageId)] = held with { VolumeId = volumeId, SizeGb = sizeGb };
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<CacheScopeTotals> GetReservedSpaceAsync(string scopeKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        cancellationToken.ThrowIfCancellationRequested();
        int count = 0;
        long sizeGb = 0;
        lock (_leases)
        {
            foreach (KeyValuePair<(string ScopeKey, string ImageId), Lease> lease in _leases)
            {
                if (lease.Key.ScopeKey == scopeKey && lease.Value.VolumeId is not null && lease.Value.ExpiresAt > now)
                {
                    count++;
                    sizeGb += lease.Value.SizeGb;
                }
            }
        }

        return ValueTask.FromResult(new CacheScopeTotals(count, sizeGb));
    }

    public ValueTask<bool> IsVolumeInUseAsync(string volumeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            foreach (Lease lease in _leases.Values)
            {
                if (lease.VolumeId == volumeId && lease.ExpiresAt > now)
                {
                    return ValueTask.FromResult(true);
                }
            }

            foreach (KeyValuePair<long, Mark> mark in _marks)
            {
                if (mark.Value.Retired && mark.Value.VolumeId == volumeId && HasLivePin(mark.Key, now))
                {
                    return ValueTask.FromResult(true);
                }
            }
        }

        return ValueTask.FromResult(false);
    }

    public ValueTask<bool> TryAcquireScopeLockAsync(string scopeKey, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Acquire(scopeKey, ScopeLockImage, holder, now, duration));
    }

    public ValueTask ReleaseScopeLockAsync(string scopeKey, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        cancellationToken.ThrowIfCancellationRequested();
        Release(scopeKey, ScopeLockImage, holder);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> TryPinEntryAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (_marks.TryGetValue(entryId, out Mark mark) && (mark.Retired || mark.ExpiresAt > now))
            {
                return ValueTask.FromResult(false);
            }

            if (isStored is not null && !isStored(entryId))
            {
                return ValueTask.FromResult(false);
            }

            if (!_pins.TryGetValue(entryId, out Dictionary<string, DateTimeOffset>? pins))
            {
                _pins[entryId] = pins = new(StringComparer.Ordinal);
            }

            pins[pin] = now + duration;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> RenewPinAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (!_pins.TryGetValue(entryId, out Dictionary<string, DateTimeOffset>? pins) || !pins.ContainsKey(pin))
            {
                return ValueTask.FromResult(false);
            }

            pins[pin] = now + duration;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> ReleasePinAsync(long entryId, string pin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (_pins.TryGetValue(entryId, out Dictionary<string, DateTimeOffset>? pins))
            {
                pins.Remove(pin);
                if (pins.Count == 0)
                {
                    _pins.Remove(entryId);
                }
            }

            if (_marks.TryGetValue(entryId, out Mark mark) && mark.Retired && !HasLivePin(entryId, now))
            {
                _marks.Remove(entryId);
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(false);
        }
    }

    public ValueTask<bool> TryBeginRemovalAsync(long entryId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (HasLivePin(entryId, now)
                || (_marks.TryGetValue(entryId, out Mark mark) && (mark.Retired || (mark.ExpiresAt > now && mark.Holder != holder))))
            {
                return ValueTask.FromResult(false);
            }

            _marks[entryId] = new Mark(holder, now + duration, Retired: false, VolumeId: null);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask EndRemovalAsync(long entryId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (_marks.TryGetValue(entryId, out Mark mark) && !mark.Retired && mark.Holder == holder)
            {
                _marks.Remove(entryId);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> TryRetireEntryAsync(long entryId, string volumeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_leases)
        {
            if (!HasLivePin(entryId, now)
                || (_marks.TryGetValue(entryId, out Mark mark) && (mark.Retired || mark.ExpiresAt > now)))
            {
                return ValueTask.FromResult(false);
            }

            _marks[entryId] = new Mark(Holder: null, DateTimeOffset.MaxValue, Retired: true, volumeId);
            return ValueTask.FromResult(true);
        }
    }

    private bool Acquire(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration)
    {
        lock (_leases)
        {
            if (_leases.TryGetValue((scopeKey, imageId), out Lease held) && held.Holder != holder && held.ExpiresAt > now)
            {
                return false;
            }

            // A takeover starts without the reservation of the lease it took over.
            _leases[(scopeKey, imageId)] = held.Holder == holder ? held with { ExpiresAt = now + duration } : new Lease(holder, now + duration, null, 0);
            return true;
        }
    }

    private void Release(string scopeKey, string imageId, string holder)
    {
        lock (_leases)
        {
            if (_leases.TryGetValue((scopeKey, imageId), out Lease held) && held.Holder == holder)
            {
                _leases.Remove((scopeKey, imageId));
            }
        }
    }

    private bool HasLivePin(long entryId, DateTimeOffset now)
    {
        if (!_pins.TryGetValue(entryId, out Dictionary<string, DateTimeOffset>? pins))
        {
            return false;
        }

        foreach (KeyValuePair<string, DateTimeOffset> pin in pins)
        {
            if (pin.Value > now)
            {
                return true;
            }
        }

        return false;
    }

    private static void Check(string scopeKey, string imageId, string holder, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
    }

    private readonly record struct Lease(string Holder, DateTimeOffset ExpiresAt, string? VolumeId, int SizeGb);

    private readonly record struct Mark(string? Holder, DateTimeOffset ExpiresAt, bool Retired, string? VolumeId);
}
