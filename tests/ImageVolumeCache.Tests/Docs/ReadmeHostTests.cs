using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MyDriver = ImageVolumeCache.Tests.Drivers.SmallestDriverContractTests.DictionaryDriver;
using MyNfsDriver = ImageVolumeCache.Tests.Drivers.SmallestDriverContractTests.DictionaryDriver;

namespace ImageVolumeCache.Tests.Docs;

/// <summary>
/// The README's host code (its first block under "Use it in your host", which a test checks is this file's region) and
/// its configuration example (read from the README itself), pasted together, start a host.
/// </summary>
public sealed class ReadmeHostTests
{
    [Test]
    public void The_readme_shows_this_files_host_code()
    {
        IReadOnlyList<string> blocks = RepositoryFiles.CodeBlocks(RepositoryFiles.Read("README.md"), "## Use it in your host", "csharp");

        Assert.That(blocks[0], Is.EqualTo(RepositoryFiles.Region("tests/ImageVolumeCache.Tests/Docs/ReadmeHostTests.cs", "readme-host")));
    }

    [Test]
    public async Task The_readme_host_code_and_configuration_example_start_together()
    {
        string json = RepositoryFiles.CodeBlocks(RepositoryFiles.Read("README.md"), "## Configuration", "json").Single();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        // begin: readme-host
        builder.Services.AddImageVolumeCache(builder.Configuration.GetSection("ImageVolumeCache"))
            .AddBackend<MyDriver>("host1@lvm")          // MyDriver : IVolumeDriver
            .AddBackend<MyNfsDriver>("host1@nfs")       // one driver per backend the configuration names
            .UseImageService<MyImageService>();         // MyImageService : IImageService
        // end: readme-host

        using IHost host = builder.Build();
        await host.StartAsync();

        ImageVolumeCacheOptions options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImageVolumeCacheOptions>>().Value;
        Assert.That(options.Backends.Keys, Is.EquivalentTo(new[] { "host1@lvm", "host1@nfs" }), "the configuration example was bound");
        Assert.That(options.InternalTenant.IsConfigured, Is.True);
        Assert.That(host.Services.GetRequiredService<CreateFromImagePipeline>(), Is.Not.Null);
        await host.StopAsync();
    }

    /// <summary>The smallest image service of docs/writing-an-image-service.md, over the temporary folder.</summary>
    private sealed class MyImageService : IImageService
    {
        private readonly SmallestImageServiceTests.RawFileImageService _inner = new(Path.GetTempPath());

        public ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken) =>
            _inner.GetImageAsync(context, imageId, cancellationToken);

        public ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken) =>
            _inner.OpenReadAsync(context, imageId, cancellationToken);
    }
}
