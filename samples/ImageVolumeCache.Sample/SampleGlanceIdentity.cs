using System.Net.Http.Headers;
using ImageVolumeCache.Glance;

namespace ImageVolumeCache.Sample;

/// <summary>
/// Without <c>--glance-token</c>, tells Glance who asks with the identity headers a Glance without Keystone trusts (as
/// eng/glance.sh runs it): the requester's project, user and roles. Behind Keystone these headers are ignored.
/// </summary>
internal sealed class SampleGlanceIdentity : IGlanceHeaderProvider
{
    public ValueTask AddHeadersAsync(RequestContext context, HttpRequestHeaders headers, CancellationToken cancellationToken)
    {
        headers.Add("X-Identity-Status", "Confirmed");
        headers.Add("X-Project-Id", context.ProjectId);
        headers.Add("X-User-Id", context.UserId);
        headers.Add("X-Roles", context.IsAdmin ? "admin,member,reader" : "member,reader");
        return ValueTask.CompletedTask;
    }
}
