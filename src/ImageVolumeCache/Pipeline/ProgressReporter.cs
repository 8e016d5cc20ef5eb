using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Pipeline;

/// <summary>
/// Reports one request's progress to its <see cref="CreateVolumeFromImageRequest.Progress"/>: every step's start, a
/// step's bytes at most once per <see cref="Interval"/> (and always its last byte), and the end of a step that moves
/// bytes. Made only for a request that asked for progress, so a request without one allocates nothing for it.
/// </summary>
/// <remarks>
/// Bytes come from the request's download, or from qemu-img's output on a thread of its own: a lock keeps the reports
/// one at a time and in order. A callback that throws is logged once and never called again for the request: progress
/// is the caller's concern, never a reason for the request to fail.
/// </remarks>
internal sealed class ProgressReporter(IProgress<CreateFromImageProgress> progress, CreateVolumeFromImageRequest request, TimeProvider time, ILogger logger)
{
    /// <summary>The least time between two reports of bytes (step starts and ends are not held back).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private static readonly int StepCount = Enum.GetValues<PipelineStep>().Length;

    private readonly Lock _lock = new();
    private readonly long?[] _totals = new long?[StepCount];
    private readonly long[] _done = new long[StepCount];
    private CreateFromImageProgress? _last;
    private long _lastAt;
    private bool _broken;

    /// <summary>The step starts: reported at once, with no bytes done of <paramref name="bytesTotal"/>.</summary>
    public void Started(PipelineStep step, long? bytesTotal)
    {
        lock (_lock)
        {
            _totals[(int)step] = bytesTotal;
            _done[(int)step] = 0;
            Send(new CreateFromImageProgress(step, 0, bytesTotal));
        }
    }

    /// <summary>
    /// The step has moved <paramref name="bytesDone"/> bytes. Reported when it is more than reported before (a download
    /// started over reports nothing until it passes that) and either it is the step's last byte or the previous report is
    /// <see cref="Interval"/> old.
    /// </summary>
    public void Moved(PipelineStep step, long bytesDone)
    {
        lock (_lock)
        {
            MovedLocked(step, bytesDone);
        }
    }

    /// <summary>qemu-img is <paramref name="percent"/> through the conversion: that share of the disk's virtual size.</summary>
    public void Converted(double percent)
    {
        lock (_lock)
        {
            if (_totals[(int)PipelineStep.Convert] is { } total && double.IsFinite(percent))
            {
                MovedLocked(PipelineStep.Convert, (long)(total * Math.Clamp(percent, 0, 100) / 100));
            }
        }
    }

    /// <summary>The step ended: a step that moves bytes reports all of them (unless its last report said so already).</summary>
    public void Ended(PipelineStep step)
    {
        lock (_lock)
        {
            if (_totals[(int)step] is { } total)
            {
                _done[(int)step] = total;
                var end = new CreateFromImageProgress(step, total, total);
                if (_last != end)
                {
                    Send(end);
                }
            }
        }
    }

    private void MovedLocked(PipelineStep step, long bytesDone)
    {
        if (_totals[(int)step] is not { } total || bytesDone <= _done[(int)step])
        {
            return;
        }

        bytesDone = Math.Min(bytesDone, total);
        _done[(int)step] = bytesDone;
        if (bytesDone == total || time.GetElapsedTime(_lastAt) >= Interval)
        {
            Send(new CreateFromImageProgress(step, bytesDone, total));
        }
    }

    private void Send(CreateFromImageProgress report)
    {
        if (_broken)
        {
            return;
        }

        _last = report;
        _lastAt = time.GetTimestamp();
        try
        {
            progress.Report(report);
        }
        catch (Exception ex)
        {
            _broken = true;
            Log.ProgressCallbackFailed(logger, ex, request.Volume.Id, request.ImageId, report.Step);
        }
    }
}
