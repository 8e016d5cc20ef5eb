using System.Collections.Concurrent;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Keeps the store pins of this cache alive: one timer for all of them, ticking every third of the pin's duration (taken
/// again at each tick, so a changed duration changes the period) while any pin is held, renewing each pin older than a
/// period. A pin's renewal time moves only when the store confirmed it, so a pin whose renewals fail is renewed again at
/// the next tick and is seen as ageing by the requests that would join it. The timer stops when a tick finds no pin held
/// (so an idle or discarded cache holds no timer) and starts again with the next pin.
/// </summary>
internal sealed class PinRenewals(TimeProvider time, Func<TimeSpan> duration, Func<SharedEntryPin, TimeSpan, ValueTask<bool>> renew) : IDisposable
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

    /// <summary>Stops the timer; pins held are no longer renewed.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _held.Clear();
            _timer?.Dispose();
            _timer = null;
        }
    }

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
            TimeSpan length = duration();
            TimeSpan period = length / 3;
            lock (_lock)
            {
                if (_held.IsEmpty || _timer is null)
                {
                    _timer?.Dispose();
                    _timer = null;
                    return;
                }

                if (period != _period)
                {
                    _period = period;
                    _timer.Change(period, period);
                }
            }

            foreach (SharedEntryPin pin in _held.Keys)
            {
                if (time.GetElapsedTime(pin.RenewedAt) >= period)
                {
                    long started = time.GetTimestamp();
                    if (await renew(pin, length).ConfigureAwait(false))
                    {
                        pin.RenewedAt = started;
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }
}
