using ImageVolumeCache.FileSystem.Tests.Support;
using Microsoft.Extensions.Logging.Testing;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

// A direct image clone reads only files inside the image directory: a file:// location anywhere else (directly, through
// "..", or through a symbolic link) is declined before the file is opened.
public sealed partial class FileSystemVolumeDriverTests
{
    /// <summary>Event 4003: the driver opened the image file and tried to reflink it.</summary>
    private const int ReflinkTried = 4003;

    [Test]
    public async Task A_direct_image_clone_without_an_image_directory_is_declined_without_opening_the_file()
    {
        var logger = new FakeLogger<FileSystemVolumeDriver>();
        using var elsewhere = new TemporaryDirectory();
        var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = _directory.Path }, logger);
        ImageInfo image = await ImageFileAsync(elsewhere.Combine("secret.raw"));

        bool cloned = await driver.TryCloneImageAsync(new VolumeSpec("vol-a", Backend, 1), image, CancellationToken.None);

        Assert.That(cloned, Is.False);
        Assert.That(logger.Collector.GetSnapshot().Select(r => r.Id.Id), Does.Not.Contain(ReflinkTried));
        Assert.That(Directory.EnumerateFileSystemEntries(_directory.Path), Is.Empty);
    }

    [Test]
    public async Task A_direct_image_clone_of_a_file_outside_the_image_directory_is_declined_without_opening_it()
    {
        var logger = new FakeLogger<FileSystemVolumeDriver>();
        using var images = new TemporaryDirectory();
        using var elsewhere = new TemporaryDirectory();
        FileSystemVolumeDriver driver = DriverWithImages(images, logger);
        ImageInfo outside = await ImageFileAsync(elsewhere.Combine("secret.raw"));
        ImageInfo dotDot = outside with { Locations = [$"file://{images.Path}/../{Path.GetFileName(elsewhere.Path)}/secret.raw"] };

        bool clonedOutside = await driver.TryCloneImageAsync(new VolumeSpec("vol-a", Backend, 1), outside, CancellationToken.None);
        bool clonedDotDot = await driver.TryCloneImageAsync(new VolumeSpec("vol-b", Backend, 1), dotDot, CancellationToken.None);

        Assert.That((clonedOutside, clonedDotDot), Is.EqualTo((false, false)));
        Assert.That(logger.Collector.GetSnapshot().Select(r => r.Id.Id), Does.Not.Contain(ReflinkTried));
        Assert.That(Directory.EnumerateFileSystemEntries(_directory.Path), Is.Empty);
    }

    [Test]
    public async Task A_direct_image_clone_of_a_symbolic_link_out_of_the_image_directory_is_declined_without_opening_its_target()
    {
        var logger = new FakeLogger<FileSystemVolumeDriver>();
        using var images = new TemporaryDirectory();
        using var elsewhere = new TemporaryDirectory();
        FileSystemVolumeDriver driver = DriverWithImages(images, logger);
        await ImageFileAsync(elsewhere.Combine("secret.raw"));
        File.CreateSymbolicLink(images.Combine("innocent.raw"), elsewhere.Combine("secret.raw"));
        Directory.CreateSymbolicLink(images.Combine("linked-dir"), elsewhere.Path);
        ImageInfo throughFile = TestData.Image("image-1", TestData.MiB) with { Locations = [new Uri(images.Combine("innocent.raw")).AbsoluteUri] };
        ImageInfo throughDirectory = TestData.Image("image-1", TestData.MiB) with { Locations = [new Uri(images.Combine("linked-dir/secret.raw")).AbsoluteUri] };

        bool clonedThroughFile = await driver.TryCloneImageAsync(new VolumeSpec("vol-a", Backend, 1), throughFile, CancellationToken.None);
        bool clonedThroughDirectory = await driver.TryCloneImageAsync(new VolumeSpec("vol-b", Backend, 1), throughDirectory, CancellationToken.None);

        Assert.That((clonedThroughFile, clonedThroughDirectory), Is.EqualTo((false, false)));
        Assert.That(logger.Collector.GetSnapshot().Select(r => r.Id.Id), Does.Not.Contain(ReflinkTried));
    }

    [Test]
    public async Task A_direct_image_clone_of_a_missing_file_or_a_directory_is_declined()
    {
        var logger = new FakeLogger<FileSystemVolumeDriver>();
        using var images = new TemporaryDirectory();
        FileSystemVolumeDriver driver = DriverWithImages(images, logger);
        Directory.CreateDirectory(images.Combine("folder.raw"));
        ImageInfo missing = TestData.Image("image-1", TestData.MiB) with { Locations = [new Uri(images.Combine("gone.raw")).AbsoluteUri] };
        ImageInfo folder = TestData.Image("image-1", TestData.MiB) with { Locations = [new Uri(images.Combine("folder.raw")).AbsoluteUri] };

        Assert.That(await driver.TryCloneImageAsync(new VolumeSpec("vol-a", Backend, 1), missing, CancellationToken.None), Is.False);
        Assert.That(await driver.TryCloneImageAsync(new VolumeSpec("vol-b", Backend, 1), folder, CancellationToken.None), Is.False);
        Assert.That(Directory.EnumerateFileSystemEntries(_directory.Path), Is.Empty);
    }

    [Test]
    public async Task A_direct_image_clone_of_a_file_inside_the_image_directory_is_tried()
    {
        var logger = new FakeLogger<FileSystemVolumeDriver>();
        using var images = new TemporaryDirectory();
        FileSystemVolumeDriver driver = DriverWithImages(images, logger);
        ImageInfo image = await ImageFileAsync(images.Combine("image.raw"));

        bool cloned = await driver.TryCloneImageAsync(new VolumeSpec("vol-a", Backend, 1), image, CancellationToken.None);

        // Without reflink (as in most temporary directories) the attempt is logged and declined; with it, it succeeds.
        Assert.That(cloned || logger.Collector.GetSnapshot().Any(r => r.Id.Id == ReflinkTried), Is.True);
    }

    private FileSystemVolumeDriver DriverWithImages(TemporaryDirectory images, FakeLogger<FileSystemVolumeDriver> logger) => new(
        new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = _directory.Path, ImageDirectory = images.Path }, logger);

    private static async Task<ImageInfo> ImageFileAsync(string path)
    {
        await File.WriteAllBytesAsync(path, TestData.Random(TestData.MiB, seed: 1));
        return TestData.Image("image-1", TestData.MiB) with { Locations = [new Uri(path).AbsoluteUri] };
    }
}
