using ImageVolumeCache.Testing;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

/// <summary>The driver contract on real files, in a temporary directory removed after each test.</summary>
public sealed class FileSystemVolumeDriverContractTests : VolumeDriverContractTests<FileSystemVolumeDriver>
{
    private string _directory = string.Empty;

    protected override FileSystemVolumeDriver CreateDriver()
    {
        _directory = Directory.CreateTempSubdirectory("ivc-contract-").FullName;
        string images = Directory.CreateDirectory(Path.Combine(_directory, "images")).FullName;
        return new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Host, Directory = _directory, ImageDirectory = images });
    }

    // A raw image file in the image directory: the driver tries to reflink it (and declines where reflink is missing).
    protected override async ValueTask<ImageInfo?> DirectlyClonableImageAsync(FileSystemVolumeDriver driver, byte[] data)
    {
        string file = Path.Combine(_directory, "images", "direct.raw");
        await File.WriteAllBytesAsync(file, data);
        return new ImageInfo("direct-image", data.Length, DateTimeOffset.UnixEpoch) { Locations = [new Uri(file).AbsoluteUri] };
    }

    protected override async ValueTask<byte[]> ReadVolumeAsync(FileSystemVolumeDriver driver, string volumeId, int length)
    {
        byte[] data = new byte[length];
        await using FileStream file = File.OpenRead(driver.GetVolumePath(volumeId));
        await file.ReadExactlyAsync(data);
        return data;
    }

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);
}
