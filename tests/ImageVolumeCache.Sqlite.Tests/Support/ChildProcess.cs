using System.Diagnostics;
using System.Globalization;

namespace ImageVolumeCache.Sqlite.Tests.Support;

/// <summary>Starts the TestHost program (copied beside the tests) as a child process with redirected output.</summary>
internal static class ChildProcess
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
}
