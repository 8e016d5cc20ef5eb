using System.Security.Cryptography;
using ImageVolumeCache.Glance.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Glance.Tests.RealServer;

/// <summary>
/// The Glance image service against the real Glance API server (Debian's glance-api, SQLite database, file store):
/// Glance itself decides visibility, so a private image of another project is not found, and its own project's
/// download resumes after a dropped connection.
/// </summary>
[NonParallelizable]
public sealed class RealGlanceTests
{
    private const int Size = 8 * RandomImageFile.MiB;
    private static readonly RequestContext ProjectA = new("project-a-" + Guid.NewGuid().ToString("N")[..8], "user-a");
    private static readonly RequestContext ProjectB = new("project-b-" + Guid.NewGuid().ToString("N")[..8], "user-b");
    private RealGlance _glance = null!;
    private byte[] _data = null!;
    private string _imageId = null!;

    [OneTimeSetUp]
    public async Task CreateAPrivateImageInProjectA()
    {
        _glance = RealGlance.Connect();
        _data = RandomImageFile.Bytes(Size, seed: 7);
        _imageId = await _glance.CreatePrivateImageAsync(ProjectA, _data);
    }

    [OneTimeTearDown]
    public void Disconnect() => _glance?.Dispose();

    [Test]
    public async Task A_private_image_of_another_project_is_not_found()
    {
        await using var cache = Cache(_glance.Endpoint);

        Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.Images.GetImageAsync(ProjectB, _imageId, CancellationToken.None));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.Images.OpenReadAsync(ProjectB, _imageId, CancellationToken.None));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await cache.CreateAsync(_imageId, "volume-b", ProjectB));
        Assert.That(Directory.EnumerateFileSystemEntries(cache.VolumesFolder), Is.Empty);
    }

    [Test]
    public async Task Its_own_project_finds_the_image_with_its_multihash_and_makes_a_verified_volume_of_it()
    {
        await using var cache = Cache(_glance.Endpoint);

        ImageInfo image = await cache.Images.GetImageAsync(ProjectA, _imageId, CancellationToken.None);
        CreateVolumeFromImageResult result = await cache.CreateAsync(_imageId, "volume-a", ProjectA);

        Assert.That(image.Owner, Is.EqualTo(ProjectA.ProjectId));
        Assert.That(image.SizeBytes, Is.EqualTo(Size));
        Assert.That(image.ChecksumAlgorithm, Is.EqualTo("sha512"));
        Assert.That(image.Checksum, Is.EqualTo(Convert.ToHexStringLower(SHA512.HashData(_data))));
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(cache.VolumeSha512("volume-a", Size), Is.EqualTo(image.Checksum));
    }

    [Test]
    public async Task A_download_dropped_halfway_resumes_where_it_stopped()
    {
        await using var proxy = new DropProxy(_glance.Endpoint.Port);
        proxy.DropAt(Size / 2);
        await using var cache = Cache(proxy.Endpoint);

        CreateVolumeFromImageResult result = await cache.CreateAsync(_imageId, "volume-a", ProjectA);

        Assert.That(cache.VolumeSha512(result.CacheEntry!.VolumeId, Size), Is.EqualTo(Convert.ToHexStringLower(SHA512.HashData(_data))));
        Assert.That(cache.ResumesWith("resumed"), Is.EqualTo(1));
        Assert.That(proxy.BytesToClient, Is.LessThan(Size + (64 * 1024)), "nothing fetched twice");
    }

    private static GlanceCache Cache(Uri endpoint) =>
        new(endpoint, services: services => services.AddSingleton<IGlanceHeaderProvider, IdentityHeaders>());
}
