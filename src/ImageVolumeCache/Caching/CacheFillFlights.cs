using System.Collections.Concurrent;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Single flight of cache fills, keyed by (scope key, image id): the first request to miss leads the fill, the others
/// wait for it. Fills of other images or other scopes never share a key, so they never wait on each other.
/// </summary>
/// <remarks>
/// A fill is removed from the table before its outcome is set, so a waiter woken by a failed leader that tries to lead
/// finds either no fill (and becomes the next leader) or the fill of the waiter that got there first (and waits on it):
/// exactly one waiter takes over.
/// </remarks>
internal sealed class CacheFillFlights
{
    private readonly ConcurrentDictionary<(string ScopeKey, string ImageId), CacheFill> _fills = new();

    /// <summary>The number of fills in progress.</summary>
    public int Count => _fills.Count;

    /// <summary>The number of fills of one scope in progress (a walk of every fill: for statistics, not requests).</summary>
    public int CountFor(string scopeKey) => _fills.Keys.Count(key => string.Equals(key.ScopeKey, scopeKey, StringComparison.Ordinal));

    /// <summary>
    /// Makes the caller the leader of the fill for (scope, image), or gives it the fill another request leads.
    /// Returns <see langword="true"/> when the caller leads.
    /// </summary>
    public bool TryLead(string scopeKey, string imageId, out CacheFill fill)
    {
        var mine = new CacheFill();
        fill = _fills.GetOrAdd((scopeKey, imageId), mine);
        return ReferenceEquals(fill, mine);
    }

    /// <summary>Ends a fill this caller leads: removes it, then wakes its waiters with the outcome (once; later calls do nothing).</summary>
    public void Complete(string scopeKey, string imageId, CacheFill fill, CacheFillOutcome outcome, ImageUnacceptableException? refusal = null)
    {
        if (fill.IsCompleted)
        {
            return;
        }

        _fills.TryRemove(KeyValuePair.Create((scopeKey, imageId), fill));
        fill.Complete(outcome, refusal);
    }
}
