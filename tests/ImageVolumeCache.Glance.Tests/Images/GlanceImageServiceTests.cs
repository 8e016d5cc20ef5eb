using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ImageVolumeCache.Glance.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Glance.Tests.Images;

/// <summary>Image show against nginx serving Glance-shaped documents: the mapping, visibility, and the requester's credentials.</summary>
public sealed class GlanceImageServiceTests : NginxFixture
{
    private static readonly RequestContext Anonymous = new("project-b", "user-b");

    [Test]
    public async Task Image_show_is_mapped_to_image_info_with_the_multihash_as_checksum_and_every_location()
    {
        Shelf.PublishDocument("image-mapped", new JsonObject
        {
            ["id"] = "image-mapped",
            ["name"] = "Debian 13",
            ["status"] = "active",
            ["updated_at"] = "2026-03-01T12:30:00Z",
            ["size"] = 1234,
            ["virtual_size"] = 10737418240,
            ["disk_format"] = "qcow2",
            ["container_format"] = "bare",
            ["owner"] = "project-a",
            ["visibility"] = "shared",
            ["checksum"] = "0123456789ABCDEF0123456789abcdef",
            ["os_hash_algo"] = "sha512",
            ["os_hash_value"] = new string('A', 128),
            ["direct_url"] = "cinder://volume-1",
            ["locations"] = new JsonArray(new JsonObject { ["url"] = "cinder://volume-1" }, new JsonObject { ["url"] = "rbd://pool/image" }),
        });
        await using var cache = new GlanceCache(Nginx.Endpoint);

        ImageInfo image = await cache.Images.GetImageAsync(Anonymous, "image-mapped", CancellationToken.None);

        Assert.That(image.Id, Is.EqualTo("image-mapped"));
        Assert.That(image.Name, Is.EqualTo("Debian 13"));
        Assert.That(image.UpdatedAt, Is.EqualTo(new DateTimeOffset(2026, 3, 1, 12, 30, 0, TimeSpan.Zero)));
        Assert.That(image.SizeBytes, Is.EqualTo(1234));
        Assert.That(image.VirtualSizeBytes, Is.EqualTo(10737418240));
        Assert.That(image.DiskFormat, Is.EqualTo("qcow2"));
        Assert.That(image.ContainerFormat, Is.EqualTo("bare"));
        Assert.That(image.Owner, Is.EqualTo("project-a"));
        Assert.That(image.ChecksumAlgorithm, Is.EqualTo("sha512"));
        Assert.That(image.Checksum, Is.EqualTo(new string('a', 128)));
        Assert.That(image.Locations, Is.EqualTo(new[] { "cinder://volume-1", "rbd://pool/image" }));
    }

    [Test]
    public async Task An_image_without_a_multihash_is_verified_with_its_md5_checksum()
    {
        Shelf.PublishDocument("image-md5", Document("image-md5", document => document["checksum"] = "0123456789ABCDEF0123456789ABCDEF"));
        await using var cache = new GlanceCache(Nginx.Endpoint);

        ImageInfo image = await cache.Images.GetImageAsync(Anonymous, "image-md5", CancellationToken.None);

        Assert.That(image.ChecksumAlgorithm, Is.EqualTo("md5"));
        Assert.That(image.Checksum, Is.EqualTo("0123456789abcdef0123456789abcdef"));
        Assert.That(image.DiskFormat, Is.EqualTo("raw"));
        Assert.That(image.Locations, Is.Empty);
    }

    [Test]
    public async Task An_image_that_is_not_active_is_refused_naming_its_status()
    {
        Shelf.PublishDocument("image-queued", Document("image-queued", document => document["status"] = "queued"));
        await using var cache = new GlanceCache(Nginx.Endpoint);

        var ex = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await cache.Images.GetImageAsync(Anonymous, "image-queued", CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("image-queued").And.Contain("queued"));
    }

    [TestCase("image-missing", Description = "404")]
    [TestCase("forbidden-image", Description = "403")]
    public async Task A_missing_image_and_a_forbidden_one_are_both_not_found(string imageId)
    {
        await using var cache = new GlanceCache(Nginx.Endpoint);

        var show = Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.Images.GetImageAsync(Anonymous, imageId, CancellationToken.None));
        var read = Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.Images.OpenReadAsync(Anonymous, imageId, CancellationToken.None));

        Assert.That(show!.Message, Is.EqualTo($"Image '{imageId}' was not found."));
        Assert.That(read!.ImageId, Is.EqualTo(imageId));
    }

    [Test]
    public async Task The_requesters_token_is_passed_to_glance_as_x_auth_token()
    {
        Shelf.PublishDocument("token-image", Document("token-image"));
        await using var cache = new GlanceCache(Nginx.Endpoint);

        ImageInfo image = await cache.Images.GetImageAsync(Anonymous with { AuthToken = NginxServer.Token }, "token-image", CancellationToken.None);

        Assert.That(image.Id, Is.EqualTo("token-image"));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.Images.GetImageAsync(Anonymous, "token-image", CancellationToken.None));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.Images.GetImageAsync(Anonymous with { AuthToken = "other" }, "token-image", CancellationToken.None));
    }

    [Test]
    public async Task A_registered_header_provider_identifies_the_requester()
    {
        Shelf.PublishDocument("project-image", Document("project-image"));
        await using var cache = new GlanceCache(Nginx.Endpoint, services: s => s.AddSingleton<IGlanceHeaderProvider, ProjectHeader>());

        ImageInfo image = await cache.Images.GetImageAsync(new RequestContext(NginxServer.Project, "user-a"), "project-image", CancellationToken.None);

        Assert.That(image.Id, Is.EqualTo("project-image"));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.Images.GetImageAsync(Anonymous, "project-image", CancellationToken.None));
    }

    private static JsonObject Document(string imageId, Action<JsonObject>? edit = null)
    {
        var document = new JsonObject
        {
            ["id"] = imageId,
            ["status"] = "active",
            ["updated_at"] = "2026-03-01T12:00:00Z",
            ["size"] = 4096,
            ["disk_format"] = null,
        };
        edit?.Invoke(document);
        return document;
    }

    private sealed class ProjectHeader : IGlanceHeaderProvider
    {
        public ValueTask AddHeadersAsync(RequestContext context, HttpRequestHeaders headers, CancellationToken cancellationToken)
        {
            headers.Add("X-Project-Id", context.ProjectId);
            return ValueTask.CompletedTask;
        }
    }
}
