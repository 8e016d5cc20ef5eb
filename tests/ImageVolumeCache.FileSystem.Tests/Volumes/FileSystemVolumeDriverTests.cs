using ImageVolumeCache.FileSystem.Tests.Support;
using static ImageVolumeCache.FileSystem.Tests.Support.TestData;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

/// <summary>The file-system driver on real files in a temporary directory: sparseness, data, read-only marks, listing.</summary>
public sealed partial class FileSystemVolumeDriverTests
{
    private const string Backend = "host1@fs";
    private TemporaryDirectory _directory = null!;
    private FileSystemVolumeDriver _driver = null!;

    [SetUp]
    public void CreateDriver()
    {
        _directory = new TemporaryDirectory();
        _driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = _directory.Path });
    }

    [TearDown]
    public void RemoveDirectory() => _directory.Dispose();

    [Test]
    public async Task Create_makes_a_sparse_file_of_exactly_the_volume_size()
    {
        await _driver.CreateVolumeAsync(new VolumeSpec("vol-a", Backend, 4), CancellationToken.None);

        string path = _driver.GetVolumePath("vol-a");
        Assert.That(new FileInfo(path).Length, Is.EqualTo(4 * GiB));
        Assert.That(DiskUsage.AllocatedBytes(path), Is.LessThan(MiB));
    }

    [Test]
    public async Task Extend_grows_the_file_and_keeps_it_sparse()
    {
        byte[] data = Random(2 * MiB, seed: 1);
        await MakeFilledAsync("vol-a", data);

        await _driver.ExtendVolumeAsync("vol-a", 3, CancellationToken.None);

        string path = _driver.GetVolumePath("vol-a");
        Assert.That(new FileInfo(path).Length, Is.EqualTo(3 * GiB));
        Assert.That(DiskUsage.AllocatedBytes(path), Is.LessThan(3 * MiB));
        Assert.That(Sha256OfFile(path, data.Length), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task Copy_keeps_the_data_byte_identical_and_leaves_zero_blocks_unallocated()
    {
        byte[] data = Random(8 * MiB, seed: 1, zeroMiBs: [2, 3, 4, 5]);

        await MakeFilledAsync("vol-a", data);

        string path = _driver.GetVolumePath("vol-a");
        Assert.That(Sha256OfFile(path, data.Length), Is.EqualTo(Sha256(data)));
        Assert.That(DiskUsage.AllocatedBytes(path), Is.LessThan(5 * MiB), "4 of the 8 MiB are zeros and are not written");
    }

    [Test]
    public async Task Clone_is_byte_identical_and_writing_it_leaves_the_source_unchanged()
    {
        byte[] data = Random(8 * MiB, seed: 1, zeroMiBs: [3]);
        await MakeFilledAsync("source", data);

        await _driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 1), "source", CancellationToken.None);
        string clonePath = _driver.GetVolumePath("clone");
        string hashAfterClone = Sha256OfFile(clonePath, data.Length);
        await using (FileStream clone = File.OpenWrite(clonePath))
        {
            await clone.WriteAsync(Random(MiB, seed: 2));
        }

        Assert.That(hashAfterClone, Is.EqualTo(Sha256(data)));
        Assert.That(Sha256OfFile(_driver.GetVolumePath("source"), data.Length), Is.EqualTo(Sha256(data)));
        Assert.That(Sha256OfFile(clonePath, data.Length), Is.Not.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task Clone_keeps_the_holes_of_its_source()
    {
        byte[] data = Random(8 * MiB, seed: 1);
        await MakeFilledAsync("source", data);

        await _driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 2), "source", CancellationToken.None);

        string clonePath = _driver.GetVolumePath("clone");
        Assert.That(new FileInfo(clonePath).Length, Is.EqualTo(2 * GiB));
        Assert.That(DiskUsage.AllocatedBytes(clonePath), Is.LessThan(16 * MiB), "a 2 GiB clone of 8 MiB of data stays sparse");
    }

    [Test]
    public async Task Delete_removes_the_file_and_its_sidecar()
    {
        await MakeFilledAsync("vol-a", Random(MiB, seed: 1));

        await _driver.DeleteVolumeAsync("vol-a", CancellationToken.None);

        Assert.That(Directory.EnumerateFileSystemEntries(_directory.Path), Is.Empty);
    }

    [Test]
    public async Task A_cache_volume_is_read_only_on_disk_once_filled_and_its_clones_are_writable()
    {
        var cacheVolume = new VolumeSpec("cache-vol", Backend, 1)
        {
            Metadata = new Dictionary<string, string> { [CacheVolumeMetadata.CacheVolume] = "true" },
        };
        await _driver.CreateVolumeAsync(cacheVolume, CancellationToken.None);
        UnixFileMode beforeCopy = File.GetUnixFileMode(_driver.GetVolumePath("cache-vol"));

        await CopyAsync("cache-vol", Random(MiB, seed: 1));
        await _driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 1), "cache-vol", CancellationToken.None);

        Assert.That(beforeCopy.HasFlag(UnixFileMode.UserWrite), Is.True, "still being filled");
        Assert.That(File.GetUnixFileMode(_driver.GetVolumePath("cache-vol")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        Assert.That(File.GetUnixFileMode(_driver.GetVolumePath("clone")).HasFlag(UnixFileMode.UserWrite), Is.True);
    }

    [Test]
    public async Task The_listing_reports_a_volume_file_without_its_sidecar_with_its_id_and_size_only()
    {
        await MakeFilledAsync("vol-a", Random(MiB, seed: 1));
        File.Delete(_directory.Combine("vol-a.json"));

        IReadOnlyList<BackendVolume> listed = await _driver.ListVolumesAsync(CancellationToken.None);

        Assert.That(listed, Has.Count.EqualTo(1));
        VolumeSpec minimal = new VolumeSpec("vol-a", Backend, 1) with { Metadata = listed[0].Spec.Metadata };
        Assert.That(listed[0].Spec, Is.EqualTo(minimal));
        Assert.That(listed[0].Spec.Metadata, Is.Empty);
        Assert.That(listed[0].ImageDataComplete, Is.False);
    }

    [Test]
    public async Task The_sidecar_records_the_spec_and_completion_as_json()
    {
        var spec = new VolumeSpec("vol-a", Backend, 1) { ProjectId = "p", UserId = "u", Encrypted = true, Cluster = "c" };
        await _driver.CreateVolumeAsync(spec, CancellationToken.None);
        string beforeCopy = await File.ReadAllTextAsync(_directory.Combine("vol-a.json"));

        await CopyAsync("vol-a", Random(MiB, seed: 1));

        string afterCopy = await File.ReadAllTextAsync(_directory.Combine("vol-a.json"));
        Assert.That(beforeCopy, Does.Contain("\"image_data_complete\": false").And.Contain("\"project_id\": \"p\"").And.Contain("\"encrypted\": true"));
        Assert.That(afterCopy, Does.Contain("\"image_data_complete\": true"));
        Assert.That(Directory.EnumerateFiles(_directory.Path, "*.tmp"), Is.Empty, "sidecars are written through a temporary file renamed into place");
    }

    [Test]
    public void A_volume_id_that_is_not_a_plain_file_name_is_refused()
    {
        Assert.ThrowsAsync<ArgumentException>(async () => await _driver.CreateVolumeAsync(new VolumeSpec("../escape", Backend, 1), CancellationToken.None));
        Assert.That(Directory.EnumerateFileSystemEntries(_directory.Path), Is.Empty);
    }

    [Test]
    public async Task A_direct_image_clone_is_refused_when_turned_off_or_the_image_has_no_file()
    {
        string imageFile = _directory.Combine("image.raw");
        await File.WriteAllBytesAsync(imageFile, Random(MiB, seed: 1));
        ImageInfo withFile = Image("image-1", MiB) with { Locations = [new Uri(imageFile).AbsoluteUri] };
        var off = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = _directory.Path, CloneImagesDirectly = false });

        bool clonedWhenOff = await off.TryCloneImageAsync(new VolumeSpec("vol-a", Backend, 1), withFile, CancellationToken.None);
        bool clonedWithoutFile = await _driver.TryCloneImageAsync(new VolumeSpec("vol-b", Backend, 1), Image("image-2", MiB), CancellationToken.None);

        Assert.That(clonedWhenOff, Is.False);
        Assert.That(clonedWithoutFile, Is.False);
        Assert.That(await _driver.ListVolumesAsync(CancellationToken.None), Is.Empty);
    }

    private async Task MakeFilledAsync(string volumeId, byte[] data)
    {
        await _driver.CreateVolumeAsync(new VolumeSpec(volumeId, Backend, 1), CancellationToken.None);
        await CopyAsync(volumeId, data);
    }

    private async Task CopyAsync(string volumeId, byte[] data)
    {
        using var stream = new MemoryStream(data);
        await _driver.CopyImageToVolumeAsync(volumeId, Image("image-1", data.Length), stream, CancellationToken.None);
    }
}
