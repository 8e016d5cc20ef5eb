using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static ImageVolumeCache.FileSystem.Tests.Support.TestData;

namespace ImageVolumeCache.FileSystem.Tests.Images;

public sealed partial class FolderImageServiceTests
{
    private static readonly RequestContext Owner = new("owner-project", "owner-user");
    private static readonly RequestContext Other = new("other-project", "other-user");
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private FakeLogger<FolderImageService> _logger = null!;
    private TemporaryDirectory _folder = null!;
    private TemporaryDirectory _elsewhere = null!;
    private FolderImageService _images = null!;

    [SetUp]
    public void CreateService()
    {
        _logger = new FakeLogger<FolderImageService>();
        _folder = new TemporaryDirectory();
        _elsewhere = new TemporaryDirectory();
        _images = new FolderImageService(_folder.Path, new FakeTimeProvider(Now), _logger);
    }

    [TearDown]
    public void RemoveFolders()
    {
        _folder.Dispose();
        _elsewhere.Dispose();
    }

    [Test]
    public async Task An_added_image_is_described_with_its_size_checksum_time_and_file_location()
    {
        byte[] data = Random(3 * MiB, seed: 1);
        await AddAsync("image-1", data, ImageVisibility.Public);

        ImageInfo image = await _images.GetImageAsync(Other, "image-1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(image.SizeBytes, Is.EqualTo(data.Length));
            Assert.That(image.Checksum, Is.EqualTo(Sha256(data)));
            Assert.That(image.ChecksumAlgorithm, Is.EqualTo("sha256"));
            Assert.That(image.DiskFormat, Is.EqualTo("raw"));
            Assert.That(image.UpdatedAt, Is.EqualTo(Now));
            Assert.That(image.Locations, Is.EqualTo(new[] { new Uri(_folder.Combine("image-1.raw")).AbsoluteUri }));
        });
    }

    [Test]
    public async Task A_private_image_is_invisible_to_other_projects_and_visible_to_its_owner_and_admins()
    {
        await AddAsync("image-1", Random(MiB, seed: 1), ImageVisibility.Private);

        Assert.ThrowsAsync<ImageNotFoundException>(async () => await _images.GetImageAsync(Other, "image-1", CancellationToken.None));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await _images.OpenReadAsync(Other, "image-1", CancellationToken.None));
        Assert.That((await _images.GetImageAsync(Owner, "image-1", CancellationToken.None)).Id, Is.EqualTo("image-1"));
        Assert.That((await _images.GetImageAsync(Other with { IsAdmin = true }, "image-1", CancellationToken.None)).Id, Is.EqualTo("image-1"));
    }

    [Test]
    public void An_unknown_image_or_a_path_is_not_found()
    {
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await _images.GetImageAsync(Owner, "missing", CancellationToken.None));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await _images.GetImageAsync(Owner, "../image-1", CancellationToken.None));
    }

    [Test]
    public async Task OpenRead_streams_the_image_data()
    {
        byte[] data = Random(3 * MiB, seed: 1);
        await AddAsync("image-1", data, ImageVisibility.Public);

        await using Stream stream = await _images.OpenReadAsync(Owner, "image-1", CancellationToken.None);
        using var read = new MemoryStream();
        await stream.CopyToAsync(read);

        Assert.That(read.ToArray(), Is.EqualTo(data));
    }

    [Test]
    public async Task The_checksum_of_an_image_file_is_computed_on_first_use_and_kept_in_its_manifest()
    {
        byte[] data = Random(2 * MiB, seed: 1);
        using var elsewhere = new TemporaryDirectory();
        string file = elsewhere.Combine("cloud.raw");
        await File.WriteAllBytesAsync(file, data);

        ImageInfo added = await _images.AddImageFileAsync(new FolderImage("image-1", Owner.ProjectId), file, CancellationToken.None);
        ImageInfo described = await _images.GetImageAsync(Owner, "image-1", CancellationToken.None);
        await File.WriteAllBytesAsync(file, Random(2 * MiB, seed: 2));
        ImageInfo describedAgain = await _images.GetImageAsync(Owner, "image-1", CancellationToken.None);

        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllTextAsync(_folder.Combine("image-1.json")));
        Assert.That(added.Checksum, Is.Null);
        Assert.That(described.Checksum, Is.EqualTo(Sha256(data)));
        Assert.That(manifest.RootElement.GetProperty("checksum").GetString(), Is.EqualTo(Sha256(data)));
        Assert.That(describedAgain.Checksum, Is.EqualTo(Sha256(data)), "kept, not recomputed: a changed file then fails verification");
    }

    [Test]
    public async Task The_manifest_holds_id_name_owner_visibility_format_time_size_and_checksum()
    {
        byte[] data = Random(MiB, seed: 1);

        await _images.AddImageAsync(new FolderImage("image-1", Owner.ProjectId) { Name = "cirros", Visibility = ImageVisibility.Private }, new MemoryStream(data), CancellationToken.None);

        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllTextAsync(_folder.Combine("image-1.json")));
        JsonElement root = manifest.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("id").GetString(), Is.EqualTo("image-1"));
            Assert.That(root.GetProperty("name").GetString(), Is.EqualTo("cirros"));
            Assert.That(root.GetProperty("owner").GetString(), Is.EqualTo(Owner.ProjectId));
            Assert.That(root.GetProperty("visibility").GetString(), Is.EqualTo("private"));
            Assert.That(root.GetProperty("disk_format").GetString(), Is.EqualTo("raw"));
            Assert.That(root.GetProperty("updated_at").GetDateTimeOffset(), Is.EqualTo(Now));
            Assert.That(root.GetProperty("size").GetInt64(), Is.EqualTo(data.Length));
            Assert.That(root.GetProperty("checksum").GetString(), Is.EqualTo(Sha256(data)));
        });
    }

    private Task<ImageInfo> AddAsync(string id, byte[] data, ImageVisibility visibility) =>
        _images.AddImageAsync(new FolderImage(id, Owner.ProjectId) { Visibility = visibility }, new MemoryStream(data), CancellationToken.None).AsTask();
}
