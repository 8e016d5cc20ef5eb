using System.Diagnostics;
using ImageVolumeCache.Backends;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Pipeline;

/// <summary>
/// The state of one pipeline run: the request, its backend's driver, the step timings so far, and its activity when
/// someone traces it. Made once per request, so its fields are kept few: a hit allocates it.
/// </summary>
internal sealed class PipelineRun(CreateVolumeFromImageRequest request, RegisteredBackend backend, TimeProvider time, Activity? activity, ProgressReporter? progress)
{
    private readonly List<PipelineStepTiming> _steps = new(4);

    public long Started { get; } = time.GetTimestamp();

    public CreateVolumeFromImageRequest Request { get; } = request;

    public VolumeSpec Target => Request.Volume;

    public CacheScope Scope => Request.Volume.Scope;

    public IVolumeDriver Driver => backend.Driver;

    /// <summary>The target's backend name, as registered (the host without its <c>#pool</c>).</summary>
    public string Backend => backend.Name;

    public IReadOnlyList<PipelineStepTiming> Steps => _steps;

    /// <summary>The run's activity; <see langword="null"/> when no listener sampled it.</summary>
    public Activity? Activity { get; } = activity;

    /// <summary>The exception the image service threw, when a failure came from the image side rather than the backend.</summary>
    public Exception? ImageFailure { get; set; }

    /// <summary>The image downloaded and inspected for conversion, once this request has needed it; removed when the request ends.</summary>
    public PreparedImage? Prepared { get; set; }

    /// <summary>The refusal of the image by its inspection, which holds for every request for it (not a refusal of this request's volume size).</summary>
    public ImageUnacceptableException? RefusedForEveryone { get; set; }

    /// <summary>Whether conversion could not run here at all (no qemu-img or prlimit): the request's failure, not a reason to download without the cache.</summary>
    public bool ConversionUnavailable { get; set; }

    /// <summary>Reports the request's progress; <see langword="null"/> when the request did not ask for it.</summary>
    public ProgressReporter? Progress { get; } = progress;

    /// <summary>Whether the run warms the cache: it fills an entry and clones nothing (its target is a placeholder).</summary>
    public bool Warming { get; init; }

    public long Now() => time.GetTimestamp();

    /// <summary>Reports that <paramref name="step"/> starts (moving <paramref name="bytesTotal"/> bytes, when it moves any) and returns the time it started.</summary>
    public long Start(PipelineStep step, long? bytesTotal = null)
    {
        Progress?.Started(step, bytesTotal);
        return time.GetTimestamp();
    }

    /// <summary>Reports that a step which moves bytes ended, having moved them all.</summary>
    public void Ended(PipelineStep step) => Progress?.Ended(step);

    public void Record(PipelineStep step, long startedAt)
    {
        TimeSpan duration = time.GetElapsedTime(startedAt);
        _steps.Add(new PipelineStepTiming(step, duration));
        if (Activity is not null)
        {
            ImageVolumeCacheTracing.StepFinished(Activity, step, duration);
        }
    }

    public TimeSpan Elapsed() => time.GetElapsedTime(Started);
}
