using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>
/// The messages of one event id, kept as they are logged. The end-to-end run reads the file-system driver's event 4000
/// ("Backend {Backend} clones volumes by {Method}") from it, so that it reports the clone method the driver chose.
/// </summary>
public sealed class LoggedEvents(int eventId)
{
    private readonly ConcurrentQueue<IReadOnlyList<KeyValuePair<string, object?>>> _events = new();

    public int EventId { get; } = eventId;

    public void Add(IReadOnlyList<KeyValuePair<string, object?>> values) => _events.Enqueue(values);

    /// <summary>The value of <paramref name="name"/> in the first event whose <paramref name="key"/> is <paramref name="value"/>.</summary>
    public string? Find(string key, string value, string name) =>
        _events.FirstOrDefault(e => e.Any(p => p.Key == key && Equals(p.Value?.ToString(), value)))
            ?.FirstOrDefault(p => p.Key == name).Value?.ToString();
}

/// <summary>A logger that keeps the structured values of one event id in <see cref="LoggedEvents"/> and drops everything else.</summary>
public sealed class CapturingLogger<T>(LoggedEvents sink) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == sink.EventId && state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            sink.Add([.. values]);
        }
    }
}
