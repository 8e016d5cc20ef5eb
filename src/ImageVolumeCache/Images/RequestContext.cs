namespace ImageVolumeCache;

/// <summary>
/// Who is asking: the project and user on whose behalf an image is described and read.
/// </summary>
/// <param name="ProjectId">The requester's project (tenant) id.</param>
/// <param name="UserId">The requester's user id.</param>
public sealed record RequestContext(string ProjectId, string UserId)
{
    /// <summary>Whether the requester has administrative rights (an image service may show it every image). Default <see langword="false"/>.</summary>
    public bool IsAdmin { get; init; }
}
