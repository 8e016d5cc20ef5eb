using System.Diagnostics;

namespace ImageVolumeCache.FileSystem.Tests.Support;

/// <summary>What a file really takes on disk, and what a file system has in use, as <c>stat</c> reports them.</summary>
public static class DiskUsage
{
    /// <summary>The bytes allocated to a file (st_blocks times the block unit), so holes count for nothing.</summary>
    public static long AllocatedBytes(string path)
    {
        string[] parts = Stat("-c", "%b %B", path).Split(' ');
        return long.Parse(parts[0]) * long.Parse(parts[1]);
    }

    /// <summary>The bytes in use on the file system holding <paramref name="path"/> (total minus free blocks).</summary>
    public static long FileSystemUsedBytes(string path)
    {
        string[] parts = Stat("-f", "-c", "%b %f %S", path).Split(' ');
        return (long.Parse(parts[0]) - long.Parse(parts[1])) * long.Parse(parts[2]);
    }

    private static string Stat(params string[] arguments)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"stat {string.Join(' ', arguments)} failed: {process.StandardError.ReadToEnd()}");
    }
}
