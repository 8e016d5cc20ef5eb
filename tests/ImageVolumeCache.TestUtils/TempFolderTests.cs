namespace ImageVolumeCache.TestUtils;

/// <summary>A fixture whose every test gets a fresh temporary directory for its files, deleted after the test.</summary>
public abstract class TempFolderTests
{
    protected TemporaryDirectory Folder { get; private set; } = null!;

    [SetUp]
    public void CreateFolder() => Folder = new TemporaryDirectory();

    [TearDown]
    public void DeleteFolder() => Folder.Dispose();
}
