namespace ImageVolumeCache;

/// <summary>How long one pipeline step took.</summary>
/// <param name="Step">The step.</param>
/// <param name="Duration">Its duration, measured with the configured <see cref="TimeProvider"/>.</param>
public readonly record struct PipelineStepTiming(PipelineStep Step, TimeSpan Duration);
