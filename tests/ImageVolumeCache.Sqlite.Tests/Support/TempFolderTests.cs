namespace ImageVolumeCache.Sqlite.Tests.Support;

/// <summary>A fixture whose every test gets a fresh temp folder for its database files, deleted after the test.</summary>
public abstract class TempFolderTests
{
    private protected TempDirectory Folder { get; private set; } = null!;

    [SetUp]
    public void CreateFolder() => Folder = new TempDirectory();

    [TearDown]
    public void DeleteFolder() => Folder.Dispose();
}
