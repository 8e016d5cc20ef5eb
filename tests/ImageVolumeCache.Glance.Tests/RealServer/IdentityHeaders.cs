using System.Net.Http.Headers;

namespace ImageVolumeCache.Glance.Tests.RealServer;

/// <summary>The host's header provider for a Glance without Keystone: the requester's project, user and roles.</summary>
internal sealed class IdentityHeaders : IGlanceHeaderProvider
{
    public ValueTask AddHeadersAsync(RequestContext context, HttpRequestHeaders headers, CancellationToken cancellationToken)
    {
        RealGlance.Identify(headers, context);
        return ValueTask.CompletedTask;
    }
}
