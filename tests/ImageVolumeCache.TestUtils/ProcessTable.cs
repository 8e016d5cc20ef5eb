using System.Diagnostics;

namespace ImageVolumeCache.TestUtils;

/// <summary>The host's processes as <c>/proc</c> shows them: for tests that watch a child the library starts (qemu-img).</summary>
public static class ProcessTable
{
    /// <summary>A process's command line, its arguments joined by spaces; <see langword="null"/> when it is gone or unreadable.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether the process runs (exists and is no zombie).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            return CommandLine(pid) is { Length: > 0 } && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits (up to a minute) until a qemu-img whose command line names <paramref name="path"/> runs, and returns its
    /// id; fails the test when <paramref name="stillWaiting"/> says the thing that would start it has ended.
    /// </summary>
    public static async Task<int> QemuImgNamingAsync(string path, Func<Task<bool>> stillWaiting)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            Assert.That(await stillWaiting(), Is.True, "qemu-img was still to start");
            foreach (string entry in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(entry), out int pid) && CommandLine(pid) is { } line
                    && line.Contains("qemu-img", StringComparison.Ordinal) && line.Contains(path, StringComparison.Ordinal))
                {
                    return pid;
                }
            }

            await Task.Delay(20);
        }

        Assert.Fail("qemu-img never started.");
        return 0;
    }
}
