using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Trims the cache every <see cref="ImageVolumeCacheOptions.TrimInterval"/> (through the <see cref="TimeProvider"/>),
/// and at once whenever the options are reloaded, so that a lowered limit, a shorter <c>MaxIdle</c> or a backend turned
/// off applies without waiting. A failed trim is logged and the next one runs as planned.
/// </summary>
internal sealed class ImageVolumeCacheTrimmer(
    DefaultImageVolumeCache cache,
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    TimeProvider time,
    ILogger<ImageVolumeCacheTrimmer> logger) : BackgroundService
{
    private readonly SemaphoreSlim _reloaded = new(0, 1);
    private IDisposable? _subscription;

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
            // A trim is already due.
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
            TimeSpan interval = options.CurrentValue.TrimInterval;
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
                await cache.TrimEverythingAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.TrimFailed(logger, ex);
            }
        }
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        _reloaded.Dispose();
        base.Dispose();
    }
}
