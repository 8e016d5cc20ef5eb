namespace ImageVolumeCache.Pipeline;

/// <summary>The state of one pipeline run: the request, its backend's driver, the step timings so far.</summary>
internal sealed class PipelineRun(CreateVolumeFromImageRequest request, IVolumeDriver driver, string backend, TimeProvider time)
{
    private readonly List<PipelineStepTiming> _steps = new(4);

    public long Started { get; } = time.GetTimestamp();

    public CreateVolumeFromImageRequest Request { get; } = request;

    public VolumeSpec Target => Request.Volume;

    public CacheScope Scope => Request.Volume.Scope;

    public IVolumeDriver Driver { get; } = driver;

    /// <summary>The target's backend name, as registered (the host without its <c>#pool</c>).</summary>
    public string Backend { get; } = backend;

    public IReadOnlyList<PipelineStepTiming> Steps => _steps;

    /// <summary>The exception the image service threw, when a failure came from the image side rather than the backend.</summary>
    public Exception? ImageFailure { get; set; }

    public long Now() => time.GetTimestamp();

    public void Record(PipelineStep step, long startedAt) => _steps.Add(new PipelineStepTiming(step, time.GetElapsedTime(startedAt)));

    public TimeSpan Elapsed() => time.GetElapsedTime(Started);
}
