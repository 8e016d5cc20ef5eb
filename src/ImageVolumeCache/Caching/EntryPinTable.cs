namespace ImageVolumeCache.Caching;

/// <summary>
/// This process's side of pins: which entries its requests clone from and which it is evicting, so that a local pin and a
/// local eviction clash here, before the store's coordination is asked (which settles them against other processes and
/// hosts, and retirement); and the count of removals, so that a lookup can tell whether an entry it read may have gone.
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

    /// <summary>Marks the start of a removal that does not go through <see cref="TryBeginEviction"/> (a retirement, say).</summary>
    public void BeginRemoval() => Interlocked.Increment(ref _removalsStarted);

    /// <summary>Marks the end of a removal begun by <see cref="BeginRemoval"/>.</summary>
    public void EndRemoval() => Interlocked.Increment(ref _removalsEnded);

    /// <summary>Pins an entry unless this process is evicting it.</summary>
    public bool TryPin(long entryId)
    {
        lock (_lock)
        {
            _state.TryGetValue(entryId, out PinState state);
            if (state.Evicting)
            {
                return false;
            }

            _state[entryId] = state with { Pins = state.Pins + 1 };
            return true;
        }
    }

    /// <summary>Releases one pin.</summary>
    public void Unpin(long entryId)
    {
        lock (_lock)
        {
            PinState state = _state[entryId];
            if (state.Pins <= 1)
            {
                _state.Remove(entryId);
            }
            else
            {
                _state[entryId] = state with { Pins = state.Pins - 1 };
            }
        }
    }

    /// <summary>Marks an entry as being evicted unless this process pins it or is evicting it already.</summary>
    public bool TryBeginEviction(long entryId)
    {
        lock (_lock)
        {
            if (!_state.TryAdd(entryId, new PinState(0, Evicting: true)))
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

    private readonly record struct PinState(int Pins, bool Evicting);
}
