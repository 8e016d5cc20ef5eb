using System.Net;
using System.Text;
using ImageVolumeCache.Glance.Images;
using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;

namespace ImageVolumeCache.Glance.Tests.Images;

/// <summary>
/// The resilience handler of the Glance client: a transient failure is tried again, at most <c>RequestRetries</c> times,
/// and a request slower than <c>RequestTimeout</c> is abandoned. The server is a handler of the test's, put where the
/// client's network handler would be.
/// </summary>
public sealed class GlanceRequestResilienceTests
{
    private static readonly RequestContext Requester = new("project-a", "user-a");

    [Test]
    public async Task A_request_that_fails_transiently_is_tried_again()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK);
        await using ServiceProvider services = Services(server, options => options.RequestRetries = 3);

        ImageInfo image = await services.GetRequiredService<IImageService>().GetImageAsync(Requester, "image-1", CancellationToken.None);

        Assert.That(image.Id, Is.EqualTo("image-1"));
        Assert.That(server.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task Without_retries_a_transient_failure_is_the_callers()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        await using ServiceProvider services = Services(server, options => options.RequestRetries = 0);

        Assert.ThrowsAsync<HttpRequestException>(async () => await services.GetRequiredService<IImageService>().GetImageAsync(Requester, "image-1", CancellationToken.None));
        Assert.That(server.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task A_request_slower_than_the_request_timeout_is_abandoned()
    {
        var server = new ScriptedServer(HttpStatusCode.OK) { Delay = TimeSpan.FromSeconds(30) };
        await using ServiceProvider services = Services(server, options =>
        {
            options.RequestRetries = 0;
            options.RequestTimeout = TimeSpan.FromMilliseconds(200);
        });

        Assert.ThrowsAsync<TimeoutRejectedException>(async () => await services.GetRequiredService<IImageService>().GetImageAsync(Requester, "image-1", CancellationToken.None));
    }

    [Test]
    public async Task Image_ids_are_escaped_into_the_path_under_the_endpoints_own_prefix()
    {
        var server = new ScriptedServer(HttpStatusCode.OK);
        await using ServiceProvider services = Services(server, options => options.Endpoint = new Uri("http://glance.test/image"));

        Assert.ThrowsAsync<ImageUnacceptableException>(async () => await services.GetRequiredService<IImageService>().GetImageAsync(Requester, "../x y", CancellationToken.None));

        Assert.That(server.LastUri!.AbsolutePath, Is.EqualTo("/image/v2/images/..%2Fx%20y"));
    }

    [TestCase(".")]
    [TestCase("..")]
    public async Task An_image_id_that_is_a_dot_segment_is_not_found_and_nothing_is_sent(string imageId)
    {
        var server = new ScriptedServer(HttpStatusCode.OK);
        await using ServiceProvider services = Services(server, options => options.Endpoint = new Uri("http://glance.test/image"));
        IImageService images = services.GetRequiredService<IImageService>();

        Assert.ThrowsAsync<ImageNotFoundException>(async () => await images.GetImageAsync(Requester, imageId, CancellationToken.None));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await images.OpenReadAsync(Requester, imageId, CancellationToken.None));
        Assert.That(server.LastUri, Is.Null, "no request reached the server");
    }

    private static ServiceProvider Services(ScriptedServer server, Action<GlanceImageServiceOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(_ => { }).UseGlanceImageService(options =>
        {
            options.Endpoint = new Uri("http://glance.test:9292");
            options.RetryDelay = TimeSpan.Zero;
            configure(options);
        });
        services.AddHttpClient(GlanceImageService.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => server);
        return services.BuildServiceProvider();
    }

    /// <summary>Answers with the scripted statuses in turn (the last one from then on); an OK carries an active image's document.</summary>
    private sealed class ScriptedServer(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _requests;

        public TimeSpan Delay { get; init; }

        public int Requests => Volatile.Read(ref _requests);

        public Uri? LastUri { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int index = Interlocked.Increment(ref _requests) - 1;
            LastUri = request.RequestUri;
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            HttpStatusCode status = statuses[Math.Min(index, statuses.Length - 1)];
            string id = Uri.UnescapeDataString(request.RequestUri!.Segments[^1]);
            string body = id == "image-1"
                ? """{"id":"image-1","status":"active","updated_at":"2026-03-01T12:00:00Z","size":4096}"""
                : """{"id":"other","status":"queued"}""";
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }
}
