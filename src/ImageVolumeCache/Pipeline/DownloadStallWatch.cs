namespace ImageVolumeCache.Pipeline;

/// <summary>
/// Aborts one download attempt when no image data arrives for the stall timeout: its <see cref="Token"/> is cancelled
/// when the timer (from the host's <see cref="TimeProvider"/>) fires. Each read that brings data restarts the timer;
/// the end of the data stops it, so a slow driver finishing its copy is never taken for a stall.
/// </summary>
internal sealed class DownloadStallWatch : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _abort;
    private readonly ITimer _timer;
    private readonly TimeSpan _timeout;
    private bool _stalled;
    private bool _disposed;

    public DownloadStallWatch(TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _timeout = timeout;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _timer = time.CreateTimer(static state => ((DownloadStallWatch)state!).OnStall(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled when the caller cancels or the download stalls.</summary>
    public CancellationToken Token => _abort.Token;

    /// <summary>Whether the timer fired: the attempt was aborted for a stall, not cancelled by the caller.</summary>
    public bool Stalled
    {
        get
        {
            lock (_lock)
            {
                return _stalled;
            }
        }
    }

    /// <summary>Data arrived: the stall timeout starts again.</summary>
    public void Progress() => _timer.Change(_timeout, Timeout.InfiniteTimeSpan);

    /// <summary>The data ended: no stall can happen any more.</summary>
    public void Finished() => _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _timer.Dispose();
        _abort.Dispose();
    }

    private void OnStall()
    {
        lock (_lock)
        {
            if (_disposed || _stalled)
            {
                return;
            }

            _stalled = true;
        }

        // Outside the lock: cancelling runs the attempt's callbacks, which may end the attempt and dispose this watch.
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended at the same moment; nothing is left to abort.
        }
    }
}
