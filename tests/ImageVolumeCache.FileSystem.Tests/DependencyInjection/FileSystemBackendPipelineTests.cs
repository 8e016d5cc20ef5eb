using Microsoft.Extensions.DependencyInjection;
using static ImageVolumeCache.FileSystem.Tests.Support.TestData;

namespace ImageVolumeCache.FileSystem.Tests.DependencyInjection;

/// <summary>The cache wired with <c>AddFileSystemBackend</c> and <c>UseFolderImageService</c>, making volumes on real files.</summary>
public sealed class FileSystemBackendPipelineTests
{
    private const string Backend = "host1@fs";
    private static readonly RequestContext Requester = new("demo-project", "demo-user");
    private TemporaryDirectory _data = null!;
    private ServiceProvider _services = null!;

    [SetUp]
    public void BuildServices()
    {
        _data = new TemporaryDirectory();
        Directory.CreateDirectory(_data.Combine("volumes"));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = "cache-project";
                options.InternalTenant.UserId = "cache-user";
            })
            .AddFileSystemBackend(Backend, _data.Combine("volumes"))
            .UseFolderImageService(_data.Combine("images"));
        _services = services.BuildServiceProvider();
    }

    [TearDown]
    public async Task Dispose()
    {
        await _services.DisposeAsync();
        _data.Dispose();
    }

    [Test]
    public async Task A_miss_fills_a_read_only_cache_volume_and_the_next_request_is_a_hit_with_the_same_data()
    {
        byte[] data = Random(4 * MiB, seed: 1);
        await Images.AddImageAsync(new FolderImage("image-1", Requester.ProjectId), new MemoryStream(data), CancellationToken.None);

        CreateVolumeFromImageResult first = await CreateAsync("vol-1");
        CreateVolumeFromImageResult second = await CreateAsync("vol-2");

        Assert.That(first.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(Sha256OfFile(VolumePath("vol-2"), data.Length), Is.EqualTo(Sha256(data)));
        Assert.That(File.GetUnixFileMode(VolumePath(second.CacheEntry!.VolumeId)).HasFlag(UnixFileMode.UserWrite), Is.False);
    }

    [Test]
    public async Task An_image_file_changed_after_its_checksum_was_recorded_fails_verification_and_leaves_no_volume()
    {
        await Images.AddImageAsync(new FolderImage("image-1", Requester.ProjectId), new MemoryStream(Random(4 * MiB, seed: 1)), CancellationToken.None);
        await File.WriteAllBytesAsync(Path.Combine(Images.Folder, "image-1.raw"), Random(4 * MiB, seed: 2));

        Assert.ThrowsAsync<ImageDataCorruptException>(async () => await CreateAsync("vol-1"));

        Assert.That(Directory.EnumerateFiles(_data.Combine("volumes")), Is.Empty);
    }

    private FolderImageService Images => _services.GetRequiredService<FolderImageService>();

    private string VolumePath(string volumeId) => Path.Combine(_data.Combine("volumes"), volumeId + ".img");

    private async Task<CreateVolumeFromImageResult> CreateAsync(string volumeId)
    {
        var volume = new VolumeSpec(volumeId, Backend, 1) { ProjectId = Requester.ProjectId, UserId = Requester.UserId };
        return await _services.GetRequiredService<CreateFromImagePipeline>()
            .CreateAsync(new CreateVolumeFromImageRequest(Requester, volume, "image-1"), CancellationToken.None);
    }
}
