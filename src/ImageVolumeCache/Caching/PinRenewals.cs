using System.Collections.Concurrent;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Keeps the store pins of this cache's clones alive: one timer for all of them, ticking every third of the pin's
/// duration while any pin is held, renewing each pin older than a period. The timer stops when a tick finds no pin held
/// (so an idle or discarded cache holds no timer) and starts again with the next pin; a hit costs one dictionary entry,
/// not a timer of its own.
/// </summary>
internal sealed class PinRenewals(TimeProvider time, Func<TimeSpan> duration, Func<SharedEntryPin, TimeSpan, ValueTask> renew)
{
    private readonly ConcurrentDictionary<SharedEntryPin, byte> _held = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private TimeSpan _period;
    private int _ticking;

    public void Add(SharedEntryPin pin)
    {
        lock (_lock)
        {
            _held.TryAdd(pin, 0);
            if (_timer is null)
            {
                _period = duration() / 3;
                _timer = time.CreateTimer(static state => ((PinRenewals)state!).Tick(), this, _period, _period);
            }
        }
    }

    public void Remove(SharedEntryPin pin) => _held.TryRemove(pin, out _);

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 0)
        {
            _ = RenewAsync();
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            lock (_lock)
            {
                if (_held.IsEmpty)
                {
                    _timer?.Dispose();
                    _timer = null;
                    return;
                }
            }

            TimeSpan length = duration();
            foreach (SharedEntryPin pin in _held.Keys)
            {
                if (time.GetElapsedTime(pin.RenewedAt) >= _period)
                {
                    pin.RenewedAt = time.GetTimestamp();
                    await renew(pin, length).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }
}
