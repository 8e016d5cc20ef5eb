namespace ImageVolumeCache.Caching;

/// <summary>
/// Tracks which entries are being cloned from (pinned), which are being evicted, and which were retired while pinned,
/// so that the three never clash: a pinned entry cannot be evicted, an entry being evicted or retired cannot be pinned,
/// and the volume of a retired entry is deleted by whoever releases its last pin.
/// </summary>
internal sealed class EntryPinTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, PinState> _state = [];
    private long _removalsStarted;
    private long _removalsEnded;

    /// <summary>
    /// Notes how many entry removals (evictions, retirements, removals by the volume-delete hook) have started and
    /// ended, so that <see cref="NoRemovalSince"/> can tell later whether an entry found before a pin may have gone.
    /// </summary>
    public RemovalWatch WatchRemovals()
    {
        // Ended is read first: a removal that starts between the two reads makes Started exceed Ended.
        long ended = Volatile.Read(ref _removalsEnded);
        return new RemovalWatch(Volatile.Read(ref _removalsStarted), ended);
    }

    /// <summary>
    /// Whether no removal was under way when <paramref name="watch"/> was taken and none has started since: then an
    /// entry looked up after the watch and pinned before this call is still stored, and needs no second look-up.
    /// </summary>
    public bool NoRemovalSince(RemovalWatch watch) =>
        watch.Started == watch.Ended && Volatile.Read(ref _removalsStarted) == watch.Started;

    /// <summary>Marks the start of a removal that does not go through <see cref="TryBeginEviction"/> or <see cref="TryRetire"/>.</summary>
    public void BeginRemoval() => Interlocked.Increment(ref _removalsStarted);

    /// <summary>Marks the end of a removal begun by <see cref="BeginRemoval"/> or <see cref="TryRetire"/>.</summary>
    public void EndRemoval() => Interlocked.Increment(ref _removalsEnded);

    /// <summary>Pins an entry unless it is being evicted or was retired.</summary>
    public bool TryPin(long entryId)
    {
        lock (_lock)
        {
            _state.TryGetValue(entryId, out PinState state);
            if (state.Evicting || state.Retired)
            {
                return false;
            }

            _state[entryId] = state with { Pins = state.Pins + 1 };
            return true;
        }
    }

    /// <summary>Releases one pin; returns <see langword="true"/> when it was the last pin of a retired entry, whose volume the caller now deletes.</summary>
    public bool Unpin(long entryId)
    {
        lock (_lock)
        {
            PinState state = _state[entryId];
            if (state.Pins <= 1)
            {
                _state.Remove(entryId);
                return state.Retired;
            }

            _state[entryId] = state with { Pins = state.Pins - 1 };
            return false;
        }
    }

    /// <summary>Marks an entry as being evicted unless it is pinned, being evicted, or retired.</summary>
    public bool TryBeginEviction(long entryId)
    {
        lock (_lock)
        {
            if (!_state.TryAdd(entryId, new PinState(0, Evicting: true, Retired: false)))
            {
                return false;
            }

            Interlocked.Increment(ref _removalsStarted);
            return true;
        }
    }

    public void EndEviction(long entryId)
    {
        lock (_lock)
        {
            _state.Remove(entryId);
        }

        Interlocked.Increment(ref _removalsEnded);
    }

    /// <summary>
    /// Marks a pinned entry as retired: it takes no new pins, and its volume is deleted when the last pin is released.
    /// Returns <see langword="false"/> when the entry is not pinned (or is already retired); only one caller gets <see langword="true"/>,
    /// and it calls <see cref="EndRemoval"/> once the entry is out of the store.
    /// </summary>
    public bool TryRetire(long entryId)
    {
        lock (_lock)
        {
            if (!_state.TryGetValue(entryId, out PinState state) || state.Pins == 0 || state.Retired)
            {
                return false;
            }

            _state[entryId] = state with { Retired = true };
            Interlocked.Increment(ref _removalsStarted);
            return true;
        }
    }

    private readonly record struct PinState(int Pins, bool Evicting, bool Retired);
}
