using System.Diagnostics;
using System.Globalization;

namespace ImageVolumeCache.TestUtils;

/// <summary>Starts the test host program (ImageVolumeCache.Sqlite.TestHost, copied beside the tests that reference it) as a child process with redirected output.</summary>
public static class ChildProcess
{
    public static Process Start(params string[] args)
    {
        string child = Path.Combine(TestContext.CurrentContext.TestDirectory, "ImageVolumeCache.Sqlite.TestHost.dll");
        string dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var info = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(child);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {child}.");
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
