namespace ImageVolumeCache.Sample.Tests;

/// <summary>The sample's default data folder, and what <c>--reset</c> deletes in a data folder.</summary>
public sealed class SampleDataFolderTests
{
    [Test]
    public void The_default_data_folder_is_under_XDG_CACHE_HOME()
    {
        string path = SampleDataFolder.DefaultPath(name => name == "XDG_CACHE_HOME" ? "/home/u/.cache-elsewhere" : null);

        Assert.That(path, Is.EqualTo("/home/u/.cache-elsewhere/imagevolumecache-sample"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("relative/cache")]
    public void Without_an_absolute_XDG_CACHE_HOME_the_default_data_folder_is_in_the_users_home(string? cacheHome)
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

        string path = SampleDataFolder.DefaultPath(_ => cacheHome);

        Assert.That(path, Is.EqualTo(Path.Combine(home, ".cache", "imagevolumecache-sample")));
    }

    [Test]
    public void Reset_deletes_what_the_sample_makes_and_leaves_everything_else()
    {
        using var data = new TemporaryDirectory();
        foreach (string folder in new[] { "volumes", "images", "scratch", "other" })
        {
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(data.Combine(folder)).FullName, "file"), "x");
        }

        foreach (string file in new[] { "cache.db", "cache.db-wal", "cache.db-shm", "notes.txt" })
        {
            File.WriteAllText(data.Combine(file), "x");
        }

        SampleDataFolder.Reset(data.Path);

        Assert.That(Directory.EnumerateFileSystemEntries(data.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "other", "notes.txt" }));
        Assert.That(File.Exists(data.Combine("other/file")), Is.True);
    }

    [Test]
    public void Reset_removes_a_symbolic_link_without_deleting_what_it_points_to()
    {
        using var data = new TemporaryDirectory();
        using var elsewhere = new TemporaryDirectory();
        File.WriteAllText(elsewhere.Combine("precious"), "x");
        Directory.CreateSymbolicLink(data.Combine("volumes"), elsewhere.Path);
        File.CreateSymbolicLink(data.Combine("cache.db"), elsewhere.Combine("precious"));

        SampleDataFolder.Reset(data.Path);

        Assert.That(Directory.EnumerateFileSystemEntries(data.Path), Is.Empty);
        Assert.That(File.ReadAllText(elsewhere.Combine("precious")), Is.EqualTo("x"));
    }
}
