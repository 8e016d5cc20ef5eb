using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.Tests.Storage;

/// <summary>The write-behind of touches that the durable stores use: when a batch is written, what it holds, and failures.</summary>
public sealed class CacheEntryTouchesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Test]
    public async Task A_touch_is_not_written_before_its_interval_and_is_written_when_the_interval_passes()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog();
        await using var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, timerFlushFailed: null);

        touches.Add(7, T0.AddMinutes(1));
        time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.That(writes.Batches, Is.Empty);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await writes.WaitForAsync(1);
        Assert.That(writes.Batches.Single(), Is.EqualTo(new[] { new CacheEntryTouch(7, T0.AddMinutes(1)) }));
        Assert.That(touches.Pending, Is.Zero);
    }

    [Test]
    public async Task Of_two_touches_of_one_entry_the_later_time_is_kept_whatever_their_order()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog();
        await using var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, timerFlushFailed: null);

        touches.Add(1, T0.AddMinutes(5));
        touches.Add(1, T0.AddMinutes(2));
        touches.Add(2, T0.AddMinutes(1));
        touches.Add(2, T0.AddMinutes(3));

        Assert.That(touches.TryGetPending(1, out DateTimeOffset first) ? first : default, Is.EqualTo(T0.AddMinutes(5)));
        await touches.FlushAsync(CancellationToken.None);
        Assert.That(
            writes.Batches.Single().OrderBy(t => t.EntryId),
            Is.EqualTo(new[] { new CacheEntryTouch(1, T0.AddMinutes(5)), new CacheEntryTouch(2, T0.AddMinutes(3)) }));
    }

    [Test]
    public async Task A_flush_waits_for_a_timed_write_under_way_so_that_every_earlier_touch_is_written_when_it_returns()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, timerFlushFailed: null);

        touches.Add(1, T0);
        time.Advance(Interval);
        await writes.WaitForStartAsync(1);

        ValueTask flush = touches.FlushAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.That(flush.IsCompleted, Is.False, "The flush returned while the timed write of an earlier touch was still under way.");

        writes.Gate.SetResult();
        await flush;
        Assert.That(writes.Batches.Single(), Is.EqualTo(new[] { new CacheEntryTouch(1, T0) }));
    }

    [Test]
    public async Task A_batch_that_fails_is_kept_and_written_by_the_next_flush_and_a_timed_failure_is_reported()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog { FailuresLeft = 1 };
        var reported = new List<(Exception Error, int Kept)>();
        await using var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, (ex, kept) => { lock (reported) { reported.Add((ex, kept)); } });

        touches.Add(1, T0);
        time.Advance(Interval);
        await writes.WaitForStartAsync(1);
        await Eventually.TrueAsync(() => { lock (reported) { return reported.Count == 1; } });

        touches.Add(1, T0.AddMinutes(1));
        touches.Add(2, T0);
        await touches.FlushAsync(CancellationToken.None);

        Assert.That(reported.Single().Kept, Is.EqualTo(1));
        Assert.That(reported.Single().Error, Is.InstanceOf<IOException>());
        Assert.That(
            writes.Batches.Single().OrderBy(t => t.EntryId),
            Is.EqualTo(new[] { new CacheEntryTouch(1, T0.AddMinutes(1)), new CacheEntryTouch(2, T0) }));
    }

    [Test]
    public async Task An_explicit_flush_that_fails_throws_to_its_caller_and_keeps_the_batch()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog { FailuresLeft = 1 };
        await using var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, timerFlushFailed: null);

        touches.Add(1, T0);

        Assert.That(async () => await touches.FlushAsync(CancellationToken.None), Throws.InstanceOf<IOException>());
        Assert.That(touches.Pending, Is.EqualTo(1));
        await touches.FlushAsync(CancellationToken.None);
        Assert.That(writes.Batches.Single(), Is.EqualTo(new[] { new CacheEntryTouch(1, T0) }));
    }

    [Test]
    public async Task A_flush_before_a_read_that_fails_reports_it_keeps_the_batch_and_does_not_throw()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog { FailuresLeft = 1 };
        var reported = new List<int>();
        await using var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, (_, kept) => reported.Add(kept));
        touches.Add(1, T0);

        await touches.TryFlushAsync(CancellationToken.None);

        Assert.That((reported.Single(), touches.Pending), Is.EqualTo((1, 1)));
        await touches.TryFlushAsync(CancellationToken.None);
        Assert.That(writes.Batches.Single(), Is.EqualTo(new[] { new CacheEntryTouch(1, T0) }));
    }

    [Test]
    public async Task Two_disposals_at_once_both_wait_for_the_one_last_write()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, timerFlushFailed: null);
        touches.Add(1, T0);

        Task first = touches.DisposeAsync().AsTask();
        Task second = touches.DisposeAsync().AsTask();
        await writes.WaitForStartAsync(1);
        Assert.That(second.IsCompleted, Is.False, "the second disposal returned while the last write was under way");

        writes.Gate.SetResult();
        await Task.WhenAll(first, second);
        Assert.That(writes.Batches.Single(), Is.EqualTo(new[] { new CacheEntryTouch(1, T0) }));
    }

    [Test]
    public async Task A_forgotten_touch_is_not_written()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog();
        await using var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, timerFlushFailed: null);

        touches.Add(1, T0);
        touches.Add(2, T0);
        touches.Forget(1);
        await touches.FlushAsync(CancellationToken.None);

        Assert.That(writes.Batches.Single(), Is.EqualTo(new[] { new CacheEntryTouch(2, T0) }));
    }

    [Test]
    public async Task Disposing_writes_what_is_held_stops_the_timer_and_refuses_later_touches()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new BatchLog();
        var touches = new CacheEntryTouches(Interval, time, writes.WriteAsync, timerFlushFailed: null);
        touches.Add(1, T0);

        await touches.DisposeAsync();

        Assert.That(writes.Batches.Single(), Is.EqualTo(new[] { new CacheEntryTouch(1, T0) }));
        Assert.That(() => touches.Add(2, T0), Throws.InstanceOf<ObjectDisposedException>());
        time.Advance(Interval * 3);
        Assert.That(writes.Batches, Has.Count.EqualTo(1));
    }

    [Test]
    public void An_interval_that_is_not_positive_is_refused_naming_it()
    {
        Assert.That(
            () => new CacheEntryTouches(TimeSpan.Zero, TimeProvider.System, (_, _) => ValueTask.CompletedTask, null),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("interval"));
    }

    /// <summary>Records the batches written; can hold a write until released, or fail the first ones.</summary>
    private sealed class BatchLog
    {
        private readonly Lock _lock = new();
        private readonly List<IReadOnlyList<CacheEntryTouch>> _batches = [];
        private int _started;

        public TaskCompletionSource? Gate { get; init; }

        public int FailuresLeft { get; set; }

        public IReadOnlyList<IReadOnlyList<CacheEntryTouch>> Batches
        {
            get
            {
                lock (_lock)
                {
                    return [.. _batches];
                }
            }
        }

        public async ValueTask WriteAsync(IReadOnlyList<CacheEntryTouch> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            lock (_lock)
            {
                if (FailuresLeft > 0)
                {
                    FailuresLeft--;
                    throw new IOException("The store is unavailable.");
                }

                _batches.Add([.. batch]);
            }
        }

        public Task WaitForStartAsync(int count) => Eventually.TrueAsync(() => Volatile.Read(ref _started) >= count);

        public Task WaitForAsync(int count) => Eventually.TrueAsync(() => Batches.Count >= count);
    }
}
