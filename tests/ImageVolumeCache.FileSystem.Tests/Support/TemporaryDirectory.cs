namespace ImageVolumeCache.FileSystem.Tests.Support;

/// <summary>A fresh directory under the system temp directory (or under a given parent), removed with everything in it on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory(string? parent = null)
    {
        Path = parent is null
            ? Directory.CreateTempSubdirectory("ivc-fs-").FullName
            : Directory.CreateDirectory(System.IO.Path.Combine(parent, "ivc-fs-" + Guid.NewGuid().ToString("N"))).FullName;
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
