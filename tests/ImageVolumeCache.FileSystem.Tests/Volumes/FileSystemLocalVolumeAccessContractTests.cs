using ImageVolumeCache.Testing;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

/// <summary>The local-write contract on real files, in a temporary directory removed after each test.</summary>
public sealed class FileSystemLocalVolumeAccessContractTests : LocalVolumeAccessContractTests<FileSystemVolumeDriver>
{
    private string _directory = string.Empty;

    protected override FileSystemVolumeDriver CreateDriver()
    {
        _directory = Directory.CreateTempSubdirectory("ivc-local-contract-").FullName;
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
