using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.Tests.Support;

/// <summary>
/// A progress callback that records each report, with the fake clock's time it came at, as it is made (unlike
/// <see cref="Progress{T}"/>, which posts reports on). Throws on every report when told to.
/// </summary>
internal sealed class RecordingProgress(FakeTimeProvider time, bool throws = false) : IProgress<CreateFromImageProgress>
{
    private readonly List<(CreateFromImageProgress Report, DateTimeOffset At)> _reports = [];

    public IReadOnlyList<CreateFromImageProgress> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports.Select(r => r.Report)];
            }
        }
    }

    public IReadOnlyList<(CreateFromImageProgress Report, DateTimeOffset At)> Timed
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    /// <summary>The steps in the order their reports came, each once per run of reports.</summary>
    public IReadOnlyList<PipelineStep> Steps
    {
        get
        {
            var steps = new List<PipelineStep>();
            foreach (CreateFromImageProgress report in Reports)
            {
                if (steps.Count == 0 || steps[^1] != report.Step)
                {
                    steps.Add(report.Step);
                }
            }

            return steps;
        }
    }

    public void Report(CreateFromImageProgress value)
    {
        lock (_reports)
        {
            _reports.Add((value, time.GetUtcNow()));
        }

        if (throws)
        {
            throw new InvalidOperationException("The progress bar is gone.");
        }
    }
}
