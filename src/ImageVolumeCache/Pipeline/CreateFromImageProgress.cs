namespace ImageVolumeCache;

/// <summary>
/// How far a <see cref="CreateFromImagePipeline.CreateAsync"/> request got, as reported to
/// <see cref="CreateVolumeFromImageRequest.Progress"/>: the step that runs and, for a step that moves the image's bytes,
/// how many of them it has moved.
/// </summary>
/// <param name="Step">The step that runs (the innermost one, when one step runs inside another).</param>
/// <param name="BytesDone">
/// The bytes the step has moved so far: 0 when it starts, <paramref name="BytesTotal"/> when it ends. Never decreases
/// within a step, not even when a stalled download starts over.
/// </param>
/// <param name="BytesTotal">
/// The bytes the step moves: the image's size for a download (<see cref="PipelineStep.Download"/>,
/// <see cref="PipelineStep.DownloadToScratch"/>, and <see cref="PipelineStep.CreateCacheEntry"/> for an image copied as
/// it is), the disk's virtual size for <see cref="PipelineStep.Convert"/>; <see langword="null"/> for a step that moves
/// none itself (a lookup, a clone, a wait, or a download or cache fill whose image is converted, whose bytes its
/// <see cref="PipelineStep.DownloadToScratch"/> and <see cref="PipelineStep.Convert"/> steps report).
/// </param>
public readonly record struct CreateFromImageProgress(PipelineStep Step, long BytesDone, long? BytesTotal);
