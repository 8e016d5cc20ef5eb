namespace ImageVolumeCache;

/// <summary>A request to make a volume from an image.</summary>
/// <param name="Requester">Who asks; the image is described and read with this context.</param>
/// <param name="Volume">The volume to make (id, host, cluster, size, encryption, owner).</param>
/// <param name="ImageId">The image to make it from.</param>
public sealed record CreateVolumeFromImageRequest(RequestContext Requester, VolumeSpec Volume, string ImageId)
{
    /// <summary>
    /// Told how far the request got; default <see langword="null"/> (nothing is reported, nothing allocated for it).
    /// Each step is reported when it starts; a download's bytes (and qemu-img's percentages) at most once per 100 ms of
    /// the registered <see cref="TimeProvider"/>, and always the last byte; a step that moves bytes again when it ends.
    /// Reports are made one at a time, in order, on the request's own threads (a <see cref="Progress{T}"/> posts them
    /// on, where they may run out of order). A callback that throws is logged and not called again for the request,
    /// which goes on. See docs/pipeline.md, "Progress".
    /// </summary>
    public IProgress<CreateFromImageProgress>? Progress { get; init; }
}
