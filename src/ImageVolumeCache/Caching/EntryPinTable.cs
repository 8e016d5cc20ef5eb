namespace ImageVolumeCache.Caching;

/// <summary>
/// Tracks which entries are being cloned from (pinned) and which are being evicted, so that the two never overlap:
/// a pinned entry cannot be evicted and an entry being evicted cannot be pinned.
/// </summary>
internal sealed class EntryPinTable
{
    private const int Evicting = -1;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, int> _state = [];

    /// <summary>Pins an entry unless it is being evicted.</summary>
    public bool TryPin(long entryId)
    {
        lock (_lock)
        {
            _state.TryGetValue(entryId, out int pins);
            if (pins == Evicting)
            {
                return false;
            }

            _state[entryId] = pins + 1;
            return true;
        }
    }

    public void Unpin(long entryId)
    {
        lock (_lock)
        {
            int pins = _state[entryId];
            if (pins <= 1)
            {
                _state.Remove(entryId);
            }
            else
            {
                _state[entryId] = pins - 1;
            }
        }
    }

    /// <summary>Marks an entry as being evicted unless it is pinned or already being evicted.</summary>
    public bool TryBeginEviction(long entryId)
    {
        lock (_lock)
        {
            return _state.TryAdd(entryId, Evicting);
        }
    }

    public void EndEviction(long entryId)
    {
        lock (_lock)
        {
            _state.Remove(entryId);
        }
    }
}
