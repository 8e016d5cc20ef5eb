using ImageVolumeCache.FileSystem.Tests.Support;
using static ImageVolumeCache.FileSystem.Tests.Support.TestData;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

/// <summary>
/// Clones on a reflink-capable file system (the directory named by <c>IMAGEVOLUMECACHE_REFLINK_DIR</c>, which
/// <c>.ci/run</c> mounts from an XFS image); ignored when there is none.
/// </summary>
public sealed class ReflinkTests
{
    private const string Backend = "host1@xfs";
    private TemporaryDirectory? _directory;

    [TearDown]
    public void RemoveDirectory() => _directory?.Dispose();

    [Test]
    public async Task A_clone_of_a_256_MiB_volume_shares_its_blocks_instead_of_copying_them()
    {
        FileSystemVolumeDriver driver = NewDriver();
        byte[] data = Random(256 * MiB, seed: 1);
        await driver.CreateVolumeAsync(new VolumeSpec("source", Backend, 1), CancellationToken.None);
        using (var stream = new MemoryStream(data))
        {
            await driver.CopyImageToVolumeAsync("source", Image("image-1", data.Length), stream, CancellationToken.None);
        }

        long usedBefore = DiskUsage.FileSystemUsedBytes(_directory!.Path);
        await driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 1), "source", CancellationToken.None);
        long newlyUsed = DiskUsage.FileSystemUsedBytes(_directory.Path) - usedBefore;

        TestContext.Out.WriteLine($"A 256 MiB clone took {newlyUsed} bytes of new space.");
        Assert.That(newlyUsed, Is.LessThan(4 * MiB));
        Assert.That(Sha256OfFile(driver.GetVolumePath("clone"), data.Length), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task A_direct_image_clone_reflinks_an_image_file_on_the_same_file_system()
    {
        FileSystemVolumeDriver driver = NewDriver();
        byte[] data = Random(16 * MiB, seed: 1);
        string imageFile = _directory!.Combine("image.raw");
        await File.WriteAllBytesAsync(imageFile, data);
        ImageInfo image = Image("image-1", data.Length) with { Locations = [new Uri(imageFile).AbsoluteUri] };

        bool cloned = await driver.TryCloneImageAsync(new VolumeSpec("vol-a", Backend, 1), image, CancellationToken.None);

        Assert.That(cloned, Is.True);
        Assert.That(new FileInfo(driver.GetVolumePath("vol-a")).Length, Is.EqualTo(GiB));
        Assert.That(Sha256OfFile(driver.GetVolumePath("vol-a"), data.Length), Is.EqualTo(Sha256(data)));
    }

    private FileSystemVolumeDriver NewDriver()
    {
        _directory = new TemporaryDirectory(ReflinkDirectory.Require());
        return new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = _directory.Path, ImageDirectory = _directory.Path });
    }
}
