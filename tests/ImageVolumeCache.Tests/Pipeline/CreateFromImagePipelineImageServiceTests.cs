using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>How the pipeline talks to the image service, with the image service replaced by a mock.</summary>
public sealed class CreateFromImagePipelineImageServiceTests
{
    private static readonly RequestContext Requester = new("tenant-a", "alice");

    [Test]
    public async Task Image_is_described_and_read_with_the_requesters_context()
    {
        byte[] data = new byte[512];
        var image = new ImageInfo("img", data.Length, DateTimeOffset.UnixEpoch);
        var images = new Mock<IImageService>(MockBehavior.Strict);
        images.Setup(s => s.GetImageAsync(Requester, "img", It.IsAny<CancellationToken>())).ReturnsAsync(image);
        images.Setup(s => s.OpenReadAsync(Requester, "img", It.IsAny<CancellationToken>())).ReturnsAsync(() => new MemoryStream(data));
        await using ServiceProvider provider = Build(images.Object);

        await provider.GetRequiredService<CreateFromImagePipeline>().CreateAsync(
            new CreateVolumeFromImageRequest(Requester, new VolumeSpec("v1", "host1@lvm", 1), "img"));

        images.Verify(s => s.GetImageAsync(Requester, "img", It.IsAny<CancellationToken>()), Times.Once);
        images.Verify(s => s.OpenReadAsync(Requester, "img", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task The_callers_cancellation_token_reaches_the_image_service()
    {
        using var cts = new CancellationTokenSource();
        var images = new Mock<IImageService>();
        images.Setup(s => s.GetImageAsync(It.IsAny<RequestContext>(), "img", It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ImageNotFoundException("img"));
        await using ServiceProvider provider = Build(images.Object);

        Assert.ThrowsAsync<ImageNotFoundException>(async () => await provider.GetRequiredService<CreateFromImagePipeline>().CreateAsync(
            new CreateVolumeFromImageRequest(Requester, new VolumeSpec("v1", "host1@lvm", 1), "img"), cts.Token));

        images.Verify(s => s.GetImageAsync(Requester, "img", cts.Token), Times.Once);
    }

    private static ServiceProvider Build(IImageService images)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(o => { o.InternalTenant.ProjectId = "internal"; o.InternalTenant.UserId = "internal-user"; })
            .AddBackend("host1@lvm", _ => new InMemoryVolumeDriver())
            .UseImageService(_ => images);
        return services.BuildServiceProvider();
    }
}
