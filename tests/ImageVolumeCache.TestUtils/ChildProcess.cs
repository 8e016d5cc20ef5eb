using System.Diagnostics;
using System.Globalization;

namespace ImageVolumeCache.TestUtils;

/// <summary>Starts the test host program (ImageVolumeCache.Sqlite.TestHost, copied beside the tests that reference it) as a child process with redirected output.</summary>
public static class ChildProcess
{
    public static Process Start(params string[] args)
    {
        ProcessStartInfo info = StartInfo("ImageVolumeCache.Sqlite.TestHost.dll", args);
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.ArgumentList[0]}.");
    }

    /// <summary>
    /// How to run <paramref name="program"/>, a program copied beside the tests (a referenced project's output), with
    /// <paramref name="args"/>: with the <c>dotnet</c> that runs the tests, output and errors redirected.
    /// </summary>
    /// <param name="program">The program's file name, such as <c>ImageVolumeCache.Sample.dll</c>.</param>
    /// <param name="args">Its arguments.</param>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var info = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, program));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a child's output to its end, waits for it to exit and asserts it exited with 0; bounded, so a hung child fails the test.</summary>
    public static async Task<string[]> LinesAsync(Process child, TimeSpan bound)
    {
        ArgumentNullException.ThrowIfNull(child);
        using var timeout = new CancellationTokenSource(bound);
        string output = await child.StandardOutput.ReadToEndAsync(timeout.Token);
        await child.WaitForExitAsync(timeout.Token);
        Assert.That(child.ExitCode, Is.Zero, await ErrorsAsync(child));
        return output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>What a child wrote to its error stream, once it has exited; empty while it runs.</summary>
    public static async Task<string> ErrorsAsync(Process child)
    {
        ArgumentNullException.ThrowIfNull(child);
        return child.HasExited ? await child.StandardError.ReadToEndAsync() : string.Empty;
    }
}
