namespace ImageVolumeCache.Sample;

/// <summary>The sample's exit codes, as <c>--help</c> and the README list them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Any other failure: one line, <c>The sample failed: MESSAGE</c>, says why.</summary>
    public const int Failed = 1;

    /// <summary>An unknown option, an option without its value or with a bad one, or a cache configuration value the cache refuses.</summary>
    public const int Usage = 2;

    /// <summary>The image is refused: unsafe (a qcow2 with a backing file, say), or not the format it claims.</summary>
    public const int ImageRefused = 3;

    /// <summary>Stopped with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Stopped = 130;

    /// <summary>The exit codes with their meanings, for <c>--help</c>.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Described =
    [
        (Success, "success"),
        (Failed, "the sample failed; one line says why (\"The sample failed: ...\")"),
        (Usage, "usage error: an unknown option, an option without its value or with a bad one, a cache configuration value the cache refuses"),
        (ImageRefused, "the image is refused: unsafe (a qcow2 with a backing file, say) or not the format it claims"),
        (Stopped, "stopped with Ctrl+C"),
    ];
}
