namespace ImageVolumeCache;

/// <summary>
/// The touches of entries' <see cref="ImageCacheEntry.LastUsed"/> that a durable store writes behind, so that a lookup is
/// a read: <see cref="Add"/> records a touch, and the store's write callback gets them in one batch at least once per
/// interval (a timer on the <see cref="TimeProvider"/>), whenever the store calls <see cref="FlushAsync"/> (before every
/// read that orders or lists entries by last use, so that an eviction decision sees every touch made through this
/// store), and when this object is disposed. A process that dies loses at most its last interval's touches, never an
/// entry. Safe for concurrent use; flushes run one at a time, in order.
/// </summary>
/// <remarks>
/// Of two touches of one entry, the later time is kept, and a store should write a touch so that it never moves a stored
/// time back (<c>SET last_used = MAX(last_used, …)</c>): another process may have written a later one. A touch of an
/// entry removed meanwhile must write nothing.
/// </remarks>
public sealed class CacheEntryTouches : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly Func<IReadOnlyList<CacheEntryTouch>, CancellationToken, ValueTask> _write;
    private readonly Action<Exception, int>? _timerFlushFailed;
    private readonly ITimer? _timer;
    private Dictionary<long, DateTimeOffset> _pending = [];
    private bool _disposed;
    private Task? _disposal;

    /// <summary>Holds touches for a store and writes them at least every <paramref name="interval"/>.</summary>
    /// <param name="interval">The longest a touch waits to be written; more than zero.</param>
    /// <param name="timeProvider">The clock of the timer.</param>
    /// <param name="write">Writes a batch of touches (one transaction, say); a batch that fails is kept for the next flush.</param>
    /// <param name="timerFlushFailed">
    /// Told of a timed flush that failed, with the number of touches kept for the next one (a store logs it); the
    /// failure of an explicit <see cref="FlushAsync"/> goes to its caller instead.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public CacheEntryTouches(
        TimeSpan interval,
        TimeProvider timeProvider,
        Func<IReadOnlyList<CacheEntryTouch>, CancellationToken, ValueTask> write,
        Action<Exception, int>? timerFlushFailed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(write);
        _write = write;
        _timerFlushFailed = timerFlushFailed;
        Interval = interval;
        _timer = timeProvider.CreateTimer(static state => ((CacheEntryTouches)state!).OnTimer(), this, interval, interval);
    }

    /// <summary>The longest a touch waits to be written.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How many entries have a touch not written yet.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Records that an entry was used at <paramref name="lastUsed"/> (a later touch of the same entry wins).</summary>
    /// <param name="entryId">The entry's id.</param>
    /// <param name="lastUsed">When it was used.</param>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    public void Add(long entryId, DateTimeOffset lastUsed)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_pending.TryGetValue(entryId, out DateTimeOffset held) || held < lastUsed)
            {
                _pending[entryId] = lastUsed;
            }
        }
    }

    /// <summary>The latest touch of an entry not written yet, if any: a store lays it over the time it reads.</summary>
    /// <param name="entryId">The entry's id.</param>
    /// <param name="lastUsed">The touch's time.</param>
    /// <returns>Whether the entry has a touch not written yet.</returns>
    public bool TryGetPending(long entryId, out DateTimeOffset lastUsed)
    {
        lock (_lock)
        {
            return _pending.TryGetValue(entryId, out lastUsed);
        }
    }

    /// <summary>Drops an entry's touch not written yet (the entry was removed).</summary>
    /// <param name="entryId">The entry's id.</param>
    public void Forget(long entryId)
    {
        lock (_lock)
        {
            _pending.Remove(entryId);
        }
    }

    /// <summary>
    /// Writes every touch recorded so far, after a flush already under way (so that when it returns, every touch added
    /// before the call is written). A batch that fails is kept for the next flush, and the failure thrown.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for a flush under way, and the write.</param>
    /// <returns>A task that completes when the touches are written.</returns>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteHeldAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>
    /// Stops the timer and writes what is held; a failure of that last write is passed to the timed-flush callback.
    /// Callers at the same time all wait for the one disposal.
    /// </summary>
    /// <returns>A task that completes when the touches are written or given up.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposal ??= DisposeCoreAsync();
            return new ValueTask(_disposal);
        }
    }

    /// <summary>
    /// Writes the touches held, for a store about to read by last use: a failure is passed to the timed-flush callback
    /// (the touches are kept for the next write) instead of failing the read, which then orders by the times written so
    /// far. Cancellation is not swallowed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait and the write.</param>
    /// <returns>A task that completes when the touches are written or kept.</returns>
    public async ValueTask TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _timerFlushFailed?.Invoke(ex, Pending);
        }
    }

    private async Task DisposeCoreAsync()
    {
        _disposed = true;
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _flushing.WaitAsync().ConfigureAwait(false);
        await WriteHeldAndReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Records the touch of an entry a store has just read for a lookup, and returns the entry as the lookup returns it:
    /// with <see cref="ImageCacheEntry.LastUsed"/> set to <paramref name="now"/>.
    /// </summary>
    /// <param name="entry">The entry read, or <see langword="null"/> when there was none.</param>
    /// <param name="now">The time of use.</param>
    /// <returns>The touched entry, or <see langword="null"/>.</returns>
    public ImageCacheEntry? Touch(ImageCacheEntry? entry, DateTimeOffset now)
    {
        if (entry is null)
        {
            return null;
        }

        Add(entry.Id, now);
        return entry with { LastUsed = now };
    }

    /// <summary>Lays an entry's touch not written yet over the last-used time a store read.</summary>
    /// <param name="entry">The entry read, or <see langword="null"/>.</param>
    /// <returns>The entry with its latest last-used time, or <see langword="null"/>.</returns>
    public ImageCacheEntry? WithPending(ImageCacheEntry? entry) =>
        entry is not null && TryGetPending(entry.Id, out DateTimeOffset used) && used > entry.LastUsed ? entry with { LastUsed = used } : entry;

    private async ValueTask WriteHeldAsync(CancellationToken cancellationToken)
    {
        Dictionary<long, DateTimeOffset> batch;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            batch = _pending;
            _pending = [];
        }

        var touches = new CacheEntryTouch[batch.Count];
        int i = 0;
        foreach ((long id, DateTimeOffset used) in batch)
        {
            touches[i++] = new CacheEntryTouch(id, used);
        }

        try
        {
            await _write(touches, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                foreach (CacheEntryTouch touch in touches)
                {
                    if (!_pending.TryGetValue(touch.EntryId, out DateTimeOffset newer) || newer < touch.LastUsed)
                    {
                        _pending[touch.EntryId] = touch.LastUsed;
                    }
                }
            }

            throw;
        }
    }

    private void OnTimer() => _ = FlushOnTimerAsync();

    private async Task FlushOnTimerAsync()
    {
        // A flush already under way (explicit or timed) writes what this one would, or the next tick does.
        if (await _flushing.WaitAsync(0).ConfigureAwait(false))
        {
            await WriteHeldAndReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is held, holding the flush already; a failure goes to the timed-flush callback.</summary>
    private async Task WriteHeldAndReleaseAsync()
    {
        try
        {
            await WriteHeldAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _timerFlushFailed?.Invoke(ex, Pending);
        }
        finally
        {
            _flushing.Release();
        }
    }
}
