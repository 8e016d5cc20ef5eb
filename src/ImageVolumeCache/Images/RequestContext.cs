using System.Text;

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

    /// <summary>
    /// The requester's own token for the image service (for example a Keystone token), which an image service that
    /// calls a remote API passes on so that the remote side decides what the requester may see; <see langword="null"/>
    /// when the host authenticates its calls another way. Never written by <see cref="ToString"/>, so it stays out of
    /// logs. Default <see langword="null"/>.
    /// </summary>
    public string? AuthToken { get; init; }

    // Written by hand so that the token never reaches a log line or an exception message through ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ProjectId = ").Append(ProjectId)
            .Append(", UserId = ").Append(UserId)
            .Append(", IsAdmin = ").Append(IsAdmin ? "True" : "False");
        if (AuthToken is not null)
        {
            builder.Append(", AuthToken = ***");
        }

        return true;
    }
}
