using System.Net;
using System.Net.Http.Json;
using ImageVolumeCache.Glance.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Glance.Images;

/// <summary>
/// The cache's image service over the Glance v2 API: every request carries the requester's credentials, so that Glance
/// decides what the requester may see; image data comes as a stream that resumes an interrupted download where it
/// stopped (<see cref="GlanceDataStream"/>).
/// </summary>
internal sealed class GlanceImageService : IImageService
{
    /// <summary>The name of the <see cref="HttpClient"/> the service asks <see cref="IHttpClientFactory"/> for.</summary>
    public const string HttpClientName = "ImageVolumeCache.Glance";

    private readonly IHttpClientFactory _clients;
    private readonly Uri _root;
    private readonly IOptionsMonitor<ImageVolumeCacheOptions> _cacheOptions;
    private readonly IGlanceHeaderProvider? _headers;
    private readonly TimeProvider _time;

    public GlanceImageService(
        IHttpClientFactory clients,
        IOptions<GlanceImageServiceOptions> options,
        IOptionsMonitor<ImageVolumeCacheOptions> cacheOptions,
        GlanceMetrics metrics,
        ILogger<GlanceImageService> logger,
        IGlanceHeaderProvider? headers = null,
        TimeProvider? time = null)
    {
        _clients = clients;
        Uri endpoint = options.Value.Endpoint ?? throw new ArgumentException($"{nameof(GlanceImageServiceOptions)}.{nameof(GlanceImageServiceOptions.Endpoint)} is required.", nameof(options));
        // A trailing slash keeps a path of the endpoint's own (a proxy's prefix) when the API paths are added to it.
        _root = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _cacheOptions = cacheOptions;
        Metrics = metrics;
        Logger = logger;
        _headers = headers;
        _time = time ?? TimeProvider.System;
    }

    internal GlanceMetrics Metrics { get; }

    internal ILogger Logger { get; }

    /// <inheritdoc/>
    public async ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ThrowIfDotSegment(imageId);
        using var request = new HttpRequestMessage(HttpMethod.Get, ImageUri(imageId));
        using HttpResponseMessage response = await SendAsync(context, imageId, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        ThrowIfNotVisible(imageId, response);
        response.EnsureSuccessStatusCode();
        GlanceImage image = await response.Content.ReadFromJsonAsync(GlanceJsonContext.Default.GlanceImage, cancellationToken).ConfigureAwait(false)
            ?? throw new ImageUnacceptableException(imageId, $"Glance described image '{imageId}' with an empty document.");
        return GlanceImageMapping.ToImageInfo(imageId, image);
    }

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ThrowIfDotSegment(imageId);
        var request = new HttpRequestMessage(HttpMethod.Get, DataUri(imageId));
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(context, imageId, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.Dispose();
        }

        try
        {
            ThrowIfNotVisible(imageId, response);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                throw new ImageUnacceptableException(imageId, $"Image '{imageId}' has no data in Glance.");
            }

            response.EnsureSuccessStatusCode();
            Stream content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            ImageVolumeCacheOptions cache = _cacheOptions.CurrentValue;
            return new GlanceDataStream(this, context, imageId, response, content, GlanceDataVersion.OfFullResponse(response), StallTimeout(cache.DownloadStallTimeout), cache.DownloadRetries, _time);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Asks for the rest of the data from <paramref name="offset"/>, of the version already being read only.</summary>
    internal async ValueTask<HttpResponseMessage> RequestRestAsync(RequestContext context, string imageId, long offset, GlanceDataVersion version, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, DataUri(imageId));
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, null);
        version.AddIfRange(request.Headers);
        HttpResponseMessage response = await SendAsync(context, imageId, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfNotVisible(imageId, response);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A read that brings nothing for half of the cache's stall timeout is given up and the data asked for again from
    /// where it stopped: the cache's own watch, which waits the whole timeout, then sees the resumed bytes, and starts
    /// the download over only when resuming brought nothing either.
    /// </summary>
    internal static TimeSpan StallTimeout(TimeSpan downloadStallTimeout) =>
        downloadStallTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : downloadStallTimeout / 2;

    private async ValueTask<HttpResponseMessage> SendAsync(RequestContext context, string imageId, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        if (context.AuthToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("X-Auth-Token", token);
        }

        if (_headers is not null)
        {
            try
            {
                await _headers.AddHeadersAsync(context, request.Headers, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.HeaderProviderFailed(Logger, ex, imageId);
                throw;
            }
        }

        HttpClient client = _clients.CreateClient(HttpClientName);
        return await client.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Glance answers 404 for an image the requester may not see; a 403 is given the same answer, so that nothing tells them apart.</summary>
    private void ThrowIfNotVisible(string imageId, HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            Log.ImageNotVisible(Logger, imageId, (int)response.StatusCode);
            throw new ImageNotFoundException(imageId);
        }
    }

    /// <summary>
    /// An id of <c>.</c> or <c>..</c> would survive escaping as a path segment that the URI resolves away (asking for
    /// <c>/v2/</c> or <c>/v2/file</c> instead of an image); no Glance image has one, so it is not found, and nothing is sent.
    /// </summary>
    private static void ThrowIfDotSegment(string imageId)
    {
        if (imageId is "." or "..")
        {
            throw new ImageNotFoundException(imageId);
        }
    }

    private Uri ImageUri(string imageId) => new(_root, "v2/images/" + Uri.EscapeDataString(imageId));

    private Uri DataUri(string imageId) => new(_root, "v2/images/" + Uri.EscapeDataString(imageId) + "/file");
}
