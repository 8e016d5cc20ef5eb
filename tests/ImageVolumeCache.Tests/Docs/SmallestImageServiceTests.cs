using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Tests.Docs;

/// <summary>
/// The smallest image service of docs/writing-an-image-service.md, as the page shows it (a test checks that the page's
/// code is this file's region), serves the pipeline: a miss, a hit, a miss again once its file changes, and not found.
/// </summary>
public sealed class SmallestImageServiceTests
{
    private const string Backend = "host1@mem";
    private static readonly RequestContext Requester = new("project-a", "user-a");

    [Test]
    public void The_page_shows_this_files_image_service()
    {
        string page = RepositoryFiles.Read("docs/writing-an-image-service.md");

        Assert.That(
            RepositoryFiles.CodeBlocks(page, "## The smallest image service", "csharp"),
            Has.Member(RepositoryFiles.Region("tests/ImageVolumeCache.Tests/Docs/SmallestImageServiceTests.cs", "smallest-image-service")));
    }

    [Test]
    public async Task It_serves_a_miss_then_a_hit_and_a_changed_file_is_a_new_version()
    {
        using var images = new TemporaryDirectory();
        byte[] data = [.. Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7))];
        string file = Path.Combine(images.Path, "ubuntu.raw");
        await File.WriteAllBytesAsync(file, data);
        File.SetLastWriteTimeUtc(file, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var driver = new InMemoryVolumeDriver();
        await using ServiceProvider services = Build(driver, images.Path);

        CreateVolumeFromImageResult miss = await CreateAsync(services, "vol-1", "ubuntu");
        CreateVolumeFromImageResult hit = await CreateAsync(services, "vol-2", "ubuntu");
        File.SetLastWriteTimeUtc(file, new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        CreateVolumeFromImageResult changed = await CreateAsync(services, "vol-3", "ubuntu");

        Assert.That((miss.Path, hit.Path, changed.Path), Is.EqualTo((CreateFromImagePath.CacheMissCreated, CreateFromImagePath.CacheHit, CreateFromImagePath.CacheMissCreated)));
        Assert.That(driver.GetVolume("vol-2").Data[..data.Length], Is.EqualTo(data));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await CreateAsync(services, "vol-4", "missing"));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await CreateAsync(services, "vol-5", "../ubuntu"));
    }

    private static ServiceProvider Build(InMemoryVolumeDriver driver, string folder)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = "cache-project";
                options.InternalTenant.UserId = "cache-user";
            })
            .AddBackend(Backend, _ => driver)
            .UseImageService(_ => new RawFileImageService(folder));
        return services.BuildServiceProvider();
    }

    private static async Task<CreateVolumeFromImageResult> CreateAsync(ServiceProvider services, string volumeId, string imageId)
    {
        var volume = new VolumeSpec(volumeId, Backend, 1) { ProjectId = Requester.ProjectId, UserId = Requester.UserId };
        return await services.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(Requester, volume, imageId));
    }

    // begin: smallest-image-service
    /// <summary>Public raw images, one file <c>&lt;id&gt;.raw</c> each, in one folder.</summary>
    public sealed class RawFileImageService(string folder) : IImageService
    {
        public ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
        {
            var file = new FileInfo(PathOf(imageId));
            if (!file.Exists)
            {
                throw new ImageNotFoundException(imageId);
            }

            // UpdatedAt decides staleness: a file written again is a new version, and cached copies of the old one go.
            // SizeBytes is what OpenReadAsync streams: the pipeline fails the download when the length differs.
            return ValueTask.FromResult(new ImageInfo(imageId, file.Length, file.LastWriteTimeUtc) { DiskFormat = "raw" });
        }

        public ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
        {
            try
            {
                return ValueTask.FromResult<Stream>(new FileStream(PathOf(imageId), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true));
            }
            catch (FileNotFoundException)
            {
                throw new ImageNotFoundException(imageId);
            }
        }

        // An id is a file name, never a path: "../etc/passwd" must not reach outside the folder.
        private string PathOf(string imageId) =>
            imageId.Length > 0 && imageId.IndexOfAny(['/', '\\']) < 0 && imageId is not "." and not ".."
                ? Path.Combine(folder, imageId + ".raw")
                : throw new ImageNotFoundException(imageId);
    }

    // end: smallest-image-service
}
