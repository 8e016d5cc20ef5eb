namespace ImageVolumeCache.Cli.Tests;

/// <summary>What one run of ivc did.</summary>
internal sealed record IvcResult(int ExitCode, string Output, string Error)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- output\n{Output}--- error\n{Error}";
}
