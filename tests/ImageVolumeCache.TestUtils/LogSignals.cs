using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// A logger provider that signals a test when the library has logged an event a number of times. For the one step no
/// fake takes part in, a request joining another request's cache fill (event 1025), so the test waits on a signal
/// instead of polling the log.
/// </summary>
public sealed class LogSignals : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, int> _counts = [];
    private readonly List<(int EventId, int Count, TaskCompletionSource Signal)> _waits = [];

    /// <summary>Completes once event <paramref name="eventId"/> has been logged <paramref name="count"/> times (counting those before the call).</summary>
    public Task WhenLogged(int eventId, int count)
    {
        lock (_lock)
        {
            if (_counts.GetValueOrDefault(eventId) >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((eventId, count, signal));
            return signal.Task;
        }
    }

    public ILogger CreateLogger(string categoryName) => new SignallingLogger(this);

    public void Dispose()
    {
    }

    private void Record(int eventId)
    {
        lock (_lock)
        {
            int count = _counts[eventId] = _counts.GetValueOrDefault(eventId) + 1;
            for (int i = _waits.Count - 1; i >= 0; i--)
            {
                if (_waits[i].EventId == eventId && count >= _waits[i].Count)
                {
                    _waits[i].Signal.TrySetResult();
                    _waits.RemoveAt(i);
                }
            }
        }
    }

    private sealed class SignallingLogger(LogSignals signals) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            signals.Record(eventId.Id);
    }
}
