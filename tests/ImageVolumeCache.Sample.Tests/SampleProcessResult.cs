namespace ImageVolumeCache.Sample.Tests;

/// <summary>What a run of the sample ended with; its text is all of it, for assertion messages.</summary>
internal sealed record SampleProcessResult(int ExitCode, string Output, string Error)
{
    /// <summary>The lines written to standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The first line written to standard output.</summary>
    public string FirstLine => Output.Split('\n', 2)[0].TrimEnd('\r');

    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
