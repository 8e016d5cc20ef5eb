namespace ImageVolumeCache.Sample;

/// <summary>
/// The sample's data folder: where it is by default (a folder of the user's own, so that another user's earlier run on
/// the machine does not make this user's first run warm), and what <c>--reset</c> deletes in it: only the names the
/// sample makes there, since <c>--data-dir</c> may name a folder that holds other files too.
/// </summary>
internal static class SampleDataFolder
{
    public const string FolderName = "imagevolumecache-sample";
    public const string VolumesFolderName = "volumes";
    public const string ImagesFolderName = "images";
    public const string ScratchFolderName = "scratch";
    public const string StoreFileName = "cache.db";

    /// <summary>The configuration of the operator tool, ivc, for this folder (<see cref="SampleToolConfiguration"/>).</summary>
    public const string ToolConfigurationFileName = "ivc.json";

    /// <summary>The SQLite store's file and the files SQLite keeps beside it (write-ahead log, its index, rollback journal).</summary>
    private static readonly string[] StoreFileNames = [StoreFileName, StoreFileName + "-wal", StoreFileName + "-shm", StoreFileName + "-journal"];

    /// <summary>
    /// <c>$XDG_CACHE_HOME/imagevolumecache-sample</c>, or <c>~/.cache/imagevolumecache-sample</c> when XDG_CACHE_HOME is
    /// unset or not an absolute path (the XDG base directory specification says to ignore a relative one); the system's
    /// temporary folder only when the user has no home folder.
    /// </summary>
    public static string DefaultPath(Func<string, string?> environment)
    {
        string? cacheHome = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(cacheHome) && Path.IsPathFullyQualified(cacheHome))
        {
            return Path.Combine(cacheHome, FolderName);
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), FolderName) : Path.Combine(home, ".cache", FolderName);
    }

    /// <summary>
    /// Deletes the volumes, images, scratch folder, SQLite store and ivc.json an earlier run left in <paramref name="directory"/>,
    /// and nothing else there; a symbolic link among them is removed, not followed.
    /// </summary>
    public static void Reset(string directory)
    {
        foreach (string name in (string[])[VolumesFolderName, ImagesFolderName, ScratchFolderName, ToolConfigurationFileName, .. StoreFileNames])
        {
            string path = Path.Combine(directory, name);
            if (new FileInfo(path) is { LinkTarget: not null } or { Exists: true }) // Exists: a file, not a folder
            {
                File.Delete(path); // unlinks a symbolic link itself, even one to a folder
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}
