using System.Net.Http.Headers;

namespace ImageVolumeCache.Glance;

/// <summary>
/// Adds the headers that identify the requester to each request the Glance image service makes, for a host that
/// authenticates its calls another way than with <see cref="RequestContext.AuthToken"/> (which is sent as
/// <c>X-Auth-Token</c> whenever it is set). Register one as a singleton; it is called for every request, the resumed
/// reads of a download included, after the token was added.
/// </summary>
public interface IGlanceHeaderProvider
{
    /// <summary>Adds the requester's headers.</summary>
    /// <param name="context">The requester.</param>
    /// <param name="headers">The request's headers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the headers are added.</returns>
    ValueTask AddHeadersAsync(RequestContext context, HttpRequestHeaders headers, CancellationToken cancellationToken);
}
