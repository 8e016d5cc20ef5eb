namespace ImageVolumeCache.FileSystem.Tests.Support;

/// <summary>
/// The reflink-capable directory (XFS with <c>reflink=1</c>) that <c>.ci/run</c> prepares and names in
/// <c>IMAGEVOLUMECACHE_REFLINK_DIR</c>. Tests that need it are ignored (counted as skipped) when it is not set, except
/// under <c>CI=true</c>, where a missing reflink directory is a failure rather than a silent skip.
/// </summary>
public static class ReflinkDirectory
{
    public const string Variable = "IMAGEVOLUMECACHE_REFLINK_DIR";

    /// <summary>The directory, or ignores the calling test when there is none.</summary>
    public static string Require()
    {
        string? directory = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(directory) || !Directory.Exists(directory))
        {
            string why = $"{Variable} does not name a reflink-capable directory; .ci/run prepares one when it runs as root.";
            RealComponent.Missing(why);
        }

        return directory!;
    }
}
