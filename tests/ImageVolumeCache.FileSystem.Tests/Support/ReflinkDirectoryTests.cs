using System.Diagnostics;

namespace ImageVolumeCache.FileSystem.Tests.Support;

/// <summary>A reflink test skipped for want of a directory says how to get one; the script that makes one removes it all again.</summary>
public sealed class ReflinkDirectoryTests
{
    [TestCase(null)]
    [TestCase("/nonexistent/reflink")]
    public void The_skip_message_names_the_variable_and_the_script(string? value)
    {
        string? why = ReflinkDirectory.MissingReason(value);

        Assert.That(why, Does.Contain("IMAGEVOLUMECACHE_REFLINK_DIR").And.Contain("eng/reflink-dir.sh mount"));
    }

    [Test]
    public void The_script_mounts_an_xfs_directory_with_reflink_and_unmount_removes_the_image_and_the_directory()
    {
        if (Environment.UserName != "root")
        {
            RealComponent.Missing("eng/reflink-dir.sh needs root to mount a loop device (.ci/run runs as root).");
        }

        using var parent = new TemporaryDirectory();
        string dir = parent.Combine("xfs");

        (int mounted, string mountOutput) = Script("mount", dir, "320M");
        Assert.That(mounted, Is.Zero, mountOutput);
        Assert.That(mountOutput, Does.Contain("reflink=1"));
        Assert.That(File.Exists(dir + ".img"), Is.True);
        File.WriteAllText(Path.Combine(dir, "probe"), "on the XFS file system");

        (int unmounted, string unmountOutput) = Script("unmount", dir);

        Assert.That(unmounted, Is.Zero, unmountOutput);
        Assert.That(File.Exists(dir + ".img"), Is.False, "the image file is removed");
        Assert.That(Directory.Exists(dir), Is.False, "the directory it made is removed");
    }

    private static (int ExitCode, string Output) Script(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryFiles.Root, "eng", "reflink-dir.sh"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
