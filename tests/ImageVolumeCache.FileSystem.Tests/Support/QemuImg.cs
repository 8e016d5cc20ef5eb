using System.Diagnostics;

namespace ImageVolumeCache.FileSystem.Tests.Support;

/// <summary>
/// Makes disk images at test time with <c>qemu-img create</c> (as ImageVolumeCache.Tests' DiskImageWorkshop does); a
/// missing qemu-img is <see cref="RealComponent.Missing"/>.
/// </summary>
internal static class QemuImg
{
    /// <summary>Runs <c>qemu-img create -q -f FORMAT PATH SIZE</c>.</summary>
    public static void Create(string format, string path, string size)
    {
        RealComponent.RequireProgram("qemu-img", "qemu-utils");
        var info = new ProcessStartInfo("qemu-img") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "create", "-q", "-f", format, path, size })
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start qemu-img.");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"qemu-img create -f {format} {path} {size} failed: {error}");
    }
}
