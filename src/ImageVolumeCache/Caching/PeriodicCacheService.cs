using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// A hosted service that runs a round of work every interval (through the <see cref="TimeProvider"/>) and at once whenever
/// the options are reloaded: the loop the trimmer and the warmer share. A failed round is handed to
/// <see cref="RoundFailed"/> and the next one runs as planned.
/// </summary>
internal abstract class PeriodicCacheService(IOptionsMonitor<ImageVolumeCacheOptions> options, TimeProvider time, bool runAtStart) : BackgroundService
{
    private readonly SemaphoreSlim _reloaded = new(runAtStart ? 1 : 0, 1);
    private IDisposable? _subscription;

    /// <summary>The options as they are now.</summary>
    protected ImageVolumeCacheOptions CurrentOptions => options.CurrentValue;

    /// <summary>The interval from the current options; <see cref="TimeSpan.Zero"/> runs only on reloads.</summary>
    protected abstract TimeSpan Interval(ImageVolumeCacheOptions current);

    /// <summary>One round of work.</summary>
    protected abstract Task RunRoundAsync(CancellationToken cancellationToken);

    /// <summary>Logs a failed round.</summary>
    protected abstract void RoundFailed(Exception exception);

    /// <summary>Subscribes to reloads before the loop starts (which runs on a thread of its own), so that none is missed.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription ??= options.OnChange(_ => SignalReload());
        return base.StartAsync(cancellationToken);
    }

    private void SignalReload()
    {
        try
        {
            _reloaded.Release();
        }
        catch (SemaphoreFullException)
        {
            // A round is already due.
        }
        catch (ObjectDisposedException)
        {
            // The host has stopped.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan interval = Interval(options.CurrentValue);
            bool due;
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                Task reload = _reloaded.WaitAsync(waiting.Token);
                Task timer = Task.Delay(interval > TimeSpan.Zero ? interval : Timeout.InfiniteTimeSpan, time, waiting.Token);
                await Task.WhenAny(reload, timer).ConfigureAwait(false);
                due = reload.IsCompletedSuccessfully || timer.IsCompletedSuccessfully;
                await waiting.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(reload, timer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (!due || stoppingToken.IsCancellationRequested)
            {
                continue;
            }

            try
            {
                await RunRoundAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RoundFailed(ex);
            }
        }
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        _reloaded.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }
}
