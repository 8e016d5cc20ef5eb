using System.Text.Json;
using ImageVolumeCache.FileSystem.Tests.Support;
using static ImageVolumeCache.FileSystem.Tests.Support.TestData;

namespace ImageVolumeCache.FileSystem.Tests.Images;

// Each image records its disk_format: detected by the inspector when an image is added without one, checked when one is
// claimed (a mismatch adds nothing), raw for manifests written before disk_format existed, and refused when unknown.
public sealed partial class FolderImageServiceTests
{
    [Test]
    public async Task A_manifest_written_without_a_disk_format_is_read_as_raw()
    {
        await WriteManifestAsync("image-1", manifest => manifest.Remove("disk_format"));

        ImageInfo image = await _images.GetImageAsync(Owner, "image-1", CancellationToken.None);

        Assert.That((image.DiskFormat, image.VirtualSizeBytes), Is.EqualTo(("raw", (long?)null)));
    }

    [Test]
    public async Task An_image_file_added_without_a_format_is_detected_as_qcow2_with_its_virtual_size()
    {
        string path = _elsewhere.Combine("cloud.qcow2");
        QemuImg.Create("qcow2", path, "64M");

        ImageInfo added = await _images.AddImageFileAsync(new FolderImage("image-1", Owner.ProjectId), path, CancellationToken.None);
        ImageInfo described = await _images.GetImageAsync(Other, "image-1", CancellationToken.None);

        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllTextAsync(_folder.Combine("image-1.json")));
        Assert.Multiple(() =>
        {
            Assert.That((added.DiskFormat, added.VirtualSizeBytes), Is.EqualTo(("qcow2", (long?)(64 * MiB))));
            Assert.That((described.DiskFormat, described.VirtualSizeBytes), Is.EqualTo(("qcow2", (long?)(64 * MiB))));
            Assert.That(described.SizeBytes, Is.EqualTo(new FileInfo(path).Length), "the size is the file's, not the disk's");
            Assert.That(manifest.RootElement.GetProperty("disk_format").GetString(), Is.EqualTo("qcow2"));
        });
    }

    [Test]
    public async Task An_image_file_claimed_as_a_format_it_is_not_is_refused_and_nothing_is_added()
    {
        string path = _elsewhere.Combine("cloud.qcow2");
        QemuImg.Create("qcow2", path, "64M");

        var refused = Assert.ThrowsAsync<ImageUnacceptableException>(async () =>
            await _images.AddImageFileAsync(new FolderImage("image-1", Owner.ProjectId) { DiskFormat = "raw" }, path, CancellationToken.None));

        Assert.That(refused!.ImageId, Is.EqualTo("image-1"));
        Assert.That(Directory.GetFileSystemEntries(_folder.Path), Is.Empty);
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await _images.GetImageAsync(Owner, "image-1", CancellationToken.None));
    }

    [Test]
    public async Task Image_data_claimed_as_a_format_it_is_not_is_refused_and_nothing_is_added()
    {
        string path = _elsewhere.Combine("cloud.qcow2");
        QemuImg.Create("qcow2", path, "64M");
        await using FileStream data = File.OpenRead(path);

        Assert.ThrowsAsync<ImageUnacceptableException>(async () =>
            await _images.AddImageAsync(new FolderImage("image-1", Owner.ProjectId) { DiskFormat = "vmdk" }, data, CancellationToken.None));

        Assert.That(Directory.GetFileSystemEntries(_folder.Path), Is.Empty, "neither the data, its temporary copy nor a manifest is left");
    }

    [Test]
    public async Task Raw_data_added_with_a_matching_claim_keeps_it_without_a_virtual_size()
    {
        ImageInfo added = await _images.AddImageAsync(new FolderImage("image-1", Owner.ProjectId) { DiskFormat = "RAW" }, new MemoryStream(Random(MiB, seed: 1)), CancellationToken.None);

        Assert.That((added.DiskFormat, added.VirtualSizeBytes), Is.EqualTo(("raw", (long?)null)));
    }

    [Test]
    public void An_image_claiming_an_unknown_disk_format_is_refused_naming_the_image_and_the_format()
    {
        var refused = Assert.ThrowsAsync<ArgumentException>(async () =>
            await _images.AddImageAsync(new FolderImage("image-1", Owner.ProjectId) { DiskFormat = "qed" }, new MemoryStream(Random(MiB, seed: 1)), CancellationToken.None));

        Assert.That(refused!.Message, Does.Contain("'image-1'").And.Contain("'qed'"));
        Assert.That(Directory.GetFileSystemEntries(_folder.Path), Is.Empty);
    }

    [Test]
    public async Task A_manifest_with_an_unknown_disk_format_is_refused_naming_the_image_and_the_format()
    {
        await WriteManifestAsync("image-1", manifest => manifest["disk_format"] = "ploop");

        var refused = Assert.ThrowsAsync<InvalidDataException>(async () => await _images.GetImageAsync(Owner, "image-1", CancellationToken.None));

        Assert.That(refused!.Message, Does.Contain("'image-1'").And.Contain("'ploop'"));
        Assert.ThrowsAsync<InvalidDataException>(async () => await _images.OpenReadAsync(Owner, "image-1", CancellationToken.None));
    }
}
