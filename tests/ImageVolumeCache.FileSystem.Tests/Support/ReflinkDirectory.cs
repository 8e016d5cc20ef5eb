namespace ImageVolumeCache.FileSystem.Tests.Support;

/// <summary>
/// The reflink-capable directory (XFS with <c>reflink=1</c>) that <c>.ci/run</c> prepares and names in
/// <c>IMAGEVOLUMECACHE_REFLINK_DIR</c>. Tests that need it are ignored (counted as skipped) when it is not set, except
/// under <c>CI=true</c>, where a missing reflink directory is a failure rather than a silent skip.
/// </summary>
public static class ReflinkDirectory
{
    public const string Variable = "IMAGEVOLUMECACHE_REFLINK_DIR";

    /// <summary>The directory, or ignores the calling test when there is none, saying how to make one.</summary>
    public static string Require()
    {
        string? directory = Environment.GetEnvironmentVariable(Variable);
        if (MissingReason(directory) is { } why)
        {
            RealComponent.Missing(why);
        }

        return directory!;
    }

    /// <summary>Why <paramref name="directory"/> (the variable's value) is no reflink-capable directory, or <see langword="null"/> when it is one.</summary>
    public static string? MissingReason(string? directory) =>
        string.IsNullOrWhiteSpace(directory) || !Directory.Exists(directory)
            ? $"Skipped: this test needs a reflink-capable directory (XFS with reflink=1), named in {Variable}"
              + (string.IsNullOrWhiteSpace(directory) ? ", which is not set" : $", but '{directory}' does not exist")
              + $". As root: eng/reflink-dir.sh mount /tmp/ivc-xfs, then export {Variable}=/tmp/ivc-xfs (eng/reflink-dir.sh unmount /tmp/ivc-xfs removes it); .ci/run does both."
            : null;
}
