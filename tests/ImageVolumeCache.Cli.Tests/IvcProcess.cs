using System.Diagnostics;

namespace ImageVolumeCache.Cli.Tests;

/// <summary>
/// Runs the real tool (ivc.dll, copied beside the tests by the project reference) as a child process, as an operator
/// runs it, in a working folder of the test's: its exit code and what it wrote to standard output and standard error.
/// </summary>
internal static class IvcProcess
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    public static async Task<IvcResult> RunAsync(string workingDirectory, params string[] args)
    {
        ProcessStartInfo info = ChildProcess.StartInfo("ivc.dll", args);
        info.WorkingDirectory = workingDirectory;
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start ivc.");
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
            string output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return new IvcResult(process.ExitCode, output, await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ivc {string.Join(' ', args)} did not exit within {Bound}.");
        }
    }
}
