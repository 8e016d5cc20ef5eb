using System.Diagnostics;

namespace ImageVolumeCache.Sqlite.Tests.Support;

/// <summary>
/// One run of the crash child: started, given time to work once it printed "ready", then killed with SIGKILL. Holds
/// every line it printed, so the test knows which volumes it asked for and what it was doing when killed.
/// </summary>
internal sealed class KilledRun
{
    private KilledRun(IReadOnlyList<string> lines) => Lines = lines;

    public IReadOnlyList<string> Lines { get; }

    /// <summary>The volumes the child asked the pipeline for: the users' volumes of the run, made or half-made.</summary>
    public IEnumerable<string> RequestedVolumes => Lines.Where(l => l.StartsWith("request ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]);

    /// <summary>What the child was doing when it was killed, from the last line it printed.</summary>
    public string Phase => PhaseOf(Lines.Count == 0 ? string.Empty : Lines[^1]);

    /// <summary>
    /// Runs the child and kills it <paramref name="delay"/> after it printed "ready", or, with a <paramref name="trigger"/>,
    /// as soon as it printed a matching line: a step too short for a random delay to land in is then reached on purpose.
    /// </summary>
    public static async Task<KilledRun> RunAsync(TimeSpan delay, Func<string, bool>? trigger, params string[] args)
    {
        using Process child = ChildProcess.Start(args);
        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var triggered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                if (trigger is not null && trigger(line))
                {
                    child.Kill();
                    triggered.TrySetResult();
                }

                if (line == "ready")
                {
                    ready.TrySetResult();
                }
            }

            // Ended without "ready" or the trigger: the exit code below tells why.
            ready.TrySetResult();
            triggered.TrySetResult();
        });
        Task<string> errors = child.StandardError.ReadToEndAsync();
        try
        {
            // A bound on a hung child, not a measure of speed: the test fails rather than hang the run.
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(1));
            await (trigger is null ? Task.Delay(delay) : triggered.Task.WaitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            // Process.Kill sends SIGKILL on Linux: no finally block, flush or handler runs in the child.
            child.Kill();
            await child.WaitForExitAsync();
        }

        await reading;
        Assert.That(child.ExitCode, Is.EqualTo(128 + 9), $"the child should end by SIGKILL; it printed:\n{string.Join('\n', lines)}\n{await errors}");
        return new KilledRun(lines);
    }

    private static string PhaseOf(string line) => line.Split(' ') switch
    {
        ["ready"] => "idle after start-up",
        ["request", ..] => "lookup, eviction or entry bookkeeping before any volume call",
        ["done", ..] or ["deleted", ..] => "between requests",
        ["begin", "create", var id] => IsTarget(id) ? "create user volume (download path)" : "create cache volume",
        ["begin", "copy", var id] => IsTarget(id) ? "copy image into user volume" : "copy image into cache volume",
        ["end", "copy", var id] => IsTarget(id) ? "after copy into user volume" : "record entry after cache volume filled",
        ["begin", "clone", _] => "clone cache volume into user volume",
        ["end", "clone", _] => "touch entry, release pin after clone",
        ["begin", "extend", _] => "extend user volume",
        ["begin", "delete", var id] => IsTarget(id) ? "delete user volume" : "evict: delete cache volume",
        ["end", "delete", var id] => IsTarget(id) ? "after delete of user volume" : "evict: remove entry",
        ["end", "create", _] or ["end", "extend", _] => "after create or extend",
        _ => "before start-up finished",
    };

    private static bool IsTarget(string volumeId) => volumeId.StartsWith(TestHost.CrashHost.TargetPrefix, StringComparison.Ordinal);
}
