using System.Collections.Concurrent;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Space promised to cache fills in progress, per scope. Fills of different images in one scope run at the same time,
/// so EnsureSpace counts the entries they are about to record as if they were there already; otherwise two fills could
/// each find room for one entry and together break the scope's limits.
/// </summary>
internal sealed class SpaceReservations
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CacheScopeTotals> _reserved = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>The gate that makes "find room, then reserve it" one step per scope. Held only while evicting, never during a download.</summary>
    public SemaphoreSlim GateOf(string scopeKey) => _gates.GetOrAdd(scopeKey, static _ => new SemaphoreSlim(1, 1));

    /// <summary>The entries and GB promised to fills in progress in a scope.</summary>
    public CacheScopeTotals Of(string scopeKey)
    {
        lock (_lock)
        {
            return _reserved.GetValueOrDefault(scopeKey);
        }
    }

    public SpaceReservation Reserve(string scopeKey, int sizeGb)
    {
        Change(scopeKey, 1, sizeGb);
        return new SpaceReservation(this, scopeKey, sizeGb);
    }

    internal void Release(string scopeKey, int sizeGb) => Change(scopeKey, -1, -sizeGb);

    private void Change(string scopeKey, int count, long sizeGb)
    {
        lock (_lock)
        {
            CacheScopeTotals totals = _reserved.GetValueOrDefault(scopeKey);
            var changed = new CacheScopeTotals(totals.Count + count, totals.SizeGb + sizeGb);
            if (changed.Count == 0)
            {
                _reserved.Remove(scopeKey);
            }
            else
            {
                _reserved[scopeKey] = changed;
            }
        }
    }
}
