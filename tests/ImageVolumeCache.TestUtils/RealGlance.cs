using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// The Glance API server named by <c>IMAGEVOLUMECACHE_GLANCE</c> (<c>eval "$(eng/glance.sh start)"</c> sets it, as
/// <c>.ci/run</c> does): Debian's glance-api without Keystone, which takes the requester from the identity headers.
/// Without the variable the calling test is ignored, except under <c>CI=true</c>, where it fails.
/// </summary>
public sealed class RealGlance : IDisposable
{
    private const string Variable = "IMAGEVOLUMECACHE_GLANCE";

    private readonly HttpClient _client;

    private RealGlance(Uri endpoint)
    {
        Endpoint = endpoint;
        _client = new HttpClient { BaseAddress = endpoint };
    }

    public Uri Endpoint { get; }

    public static RealGlance Connect()
    {
        string? url = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(url))
        {
            RealComponent.Missing($"{Variable} does not name a Glance API server; start one with eng/glance.sh start (eval its output), as .ci/run does.");
        }

        return new RealGlance(new Uri(url!.TrimEnd('/') + "/"));
    }

    /// <summary>Adds the headers by which a Glance without Keystone knows the requester.</summary>
    public static void Identify(HttpRequestHeaders headers, RequestContext requester)
    {
        headers.Add("X-Identity-Status", "Confirmed");
        headers.Add("X-Project-Id", requester.ProjectId);
        headers.Add("X-User-Id", requester.UserId);
        headers.Add("X-Roles", requester.IsAdmin ? "admin,member,reader" : "member,reader");
    }

    /// <summary>Creates a private raw image owned by <paramref name="owner"/>'s project and uploads its data; returns its id.</summary>
    public async Task<string> CreatePrivateImageAsync(RequestContext owner, byte[] data)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "v2/images")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["name"] = "ivc-test-" + Guid.NewGuid().ToString("N")[..8],
                ["disk_format"] = "raw",
                ["container_format"] = "bare",
                ["visibility"] = "private",
            }),
        };
        Identify(create.Headers, owner);
        using HttpResponseMessage created = await _client.SendAsync(create);
        created.EnsureSuccessStatusCode();
        JsonObject image = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        string id = image["id"]!.GetValue<string>();

        using var upload = new HttpRequestMessage(HttpMethod.Put, $"v2/images/{id}/file") { Content = new ByteArrayContent(data) };
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Identify(upload.Headers, owner);
        using HttpResponseMessage uploaded = await _client.SendAsync(upload);
        uploaded.EnsureSuccessStatusCode();
        return id;
    }

    public void Dispose() => _client.Dispose();
}
