using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Drivers;

/// <summary>The driver contract on real files, in a temporary directory removed after each test.</summary>
public sealed class FileSystemVolumeDriverContractTests : VolumeDriverContractTests<FileSystemVolumeDriver>
{
    private string _directory = string.Empty;

    protected override FileSystemVolumeDriver CreateDriver()
    {
        _directory = Directory.CreateTempSubdirectory("ivc-contract-").FullName;
        return new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Host, Directory = _directory });
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
