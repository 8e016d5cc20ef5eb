namespace ImageVolumeCache.TestUtils;

/// <summary>A fresh directory under the system temp directory (or under a given parent), removed with everything in it on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory(string? parent = null)
    {
        Path = parent is null
            ? Directory.CreateTempSubdirectory("ivc-tests-").FullName
            : Directory.CreateDirectory(System.IO.Path.Combine(parent, "ivc-tests-" + Guid.NewGuid().ToString("N"))).FullName;
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open in another process (a killed child's database, say); the system cleans its temp directory.
        }
    }
}
