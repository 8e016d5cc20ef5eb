namespace ImageVolumeCache.Caching;

/// <summary>
/// Runs a renewal every period until disposed, one at a time: a renewal still running when the next is due is not
/// started twice. The renewal handles its own failures.
/// </summary>
internal sealed class PeriodicRenewal : IAsyncDisposable
{
    private readonly Func<ValueTask> _renew;
    private readonly ITimer _timer;
    private int _running;

    public PeriodicRenewal(TimeProvider time, TimeSpan period, Func<ValueTask> renew)
    {
        _renew = renew;
        _timer = time.CreateTimer(static state => ((PeriodicRenewal)state!).Tick(), this, period, period);
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();

    private void Tick()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            await _renew().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
