using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ImageVolumeCache.Sample.Tests;

/// <summary>
/// Runs the real sample program (ImageVolumeCache.Sample.dll, copied beside the tests by the project reference) as a
/// child process, as a user runs it: its exit code and what it wrote to standard output and standard error. The
/// child's <c>XDG_CACHE_HOME</c> is a folder of the test's, so its default data folder is never the machine's.
/// </summary>
internal static class SampleProcess
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    public static Task<SampleProcessResult> RunAsync(string cacheHome, params string[] args) => RunAsync(cacheHome, interruptAfter: null, args);

    /// <summary>Runs the sample and presses Ctrl+C (sends it SIGINT) once it has printed a line that starts with <paramref name="line"/>.</summary>
    public static Task<SampleProcessResult> InterruptAsync(string cacheHome, string line, params string[] args) => RunAsync(cacheHome, line, args);

    private static async Task<SampleProcessResult> RunAsync(string cacheHome, string? interruptAfter, string[] args)
    {
        ProcessStartInfo info = ChildProcess.StartInfo("ImageVolumeCache.Sample.dll", args);
        info.Environment["XDG_CACHE_HOME"] = cacheHome;
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the sample.");
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
            var output = new StringBuilder();
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.Append(line).Append('\n');
                if (interruptAfter is not null && line.StartsWith(interruptAfter, StringComparison.Ordinal))
                {
                    Interrupt(process.Id);
                    interruptAfter = null;
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            return new SampleProcessResult(process.ExitCode, output.ToString(), await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample ({string.Join(' ', args)}) did not exit within {Bound}.");
        }
    }

    /// <summary>Sends SIGINT, what a terminal sends on Ctrl+C; .NET has no call that signals another process.</summary>
    private static void Interrupt(int processId)
    {
        using Process kill = Process.Start("kill", ["-INT", processId.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.That(kill.ExitCode, Is.Zero, $"kill -INT {processId} failed");
    }
}
