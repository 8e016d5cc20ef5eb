namespace ImageVolumeCache;

/// <summary>A request to make a volume from an image.</summary>
/// <param name="Requester">Who asks; the image is described and read with this context.</param>
/// <param name="Volume">The volume to make (id, host, cluster, size, encryption, owner).</param>
/// <param name="ImageId">The image to make it from.</param>
public sealed record CreateVolumeFromImageRequest(RequestContext Requester, VolumeSpec Volume, string ImageId);
