namespace ImageVolumeCache.Cli;

/// <summary>The tool's exit codes, as <c>ivc --help</c>, the package README and docs/operations.md list them.</summary>
internal static class IvcExitCodes
{
    /// <summary>The command did what it was asked; <c>ivc health</c>: healthy.</summary>
    public const int Success = 0;

    /// <summary>The command failed: the store or a backend could not be used, an entry in use was left, an image failed to warm.</summary>
    public const int Failed = 1;

    /// <summary>
    /// A usage error: an unknown command or option, a missing or bad value, a configuration the cache refuses, a backend
    /// ivc has no driver for, a store or folder that does not exist or is not the right one. Nothing was changed.
    /// </summary>
    public const int Usage = 2;

    /// <summary>Nothing matched: <c>ivc evict</c> found no such entry, or no entry of the image.</summary>
    public const int NotFound = 3;

    /// <summary><c>ivc health</c>: degraded.</summary>
    public const int Degraded = 4;

    /// <summary><c>ivc health</c>: unhealthy.</summary>
    public const int Unhealthy = 5;

    /// <summary>Stopped with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Stopped = 130;

    /// <summary>The exit codes with their meanings, for <c>--help</c>.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Described =
    [
        (Success, "success (ivc health: healthy)"),
        (Failed, "the command failed: the store or a backend could not be used, an entry in use was left, an image failed to warm"),
        (Usage, "usage error: a bad command, option or value, a configuration the cache refuses, a backend ivc has no driver for, a missing store or folder; nothing was changed"),
        (NotFound, "ivc evict: no such entry, or no entry of the image"),
        (Degraded, "ivc health: degraded"),
        (Unhealthy, "ivc health: unhealthy"),
        (Stopped, "stopped with Ctrl+C"),
    ];
}
