using System.Diagnostics;

namespace ImageVolumeCache.Sample.Tests;

/// <summary>
/// Makes disk images for the sample at test time with qemu-img, and compares a volume with its image; a missing qemu-img
/// is <see cref="RealComponent.Missing"/>. No image is kept in the repository.
/// </summary>
internal static class QemuImg
{
    /// <summary>The data a qcow2 made by <see cref="MakeQcow2"/> holds, at offsets spread over its virtual size (the rest reads as zeros).</summary>
    private static readonly long[] DataOffsets = [0, (1L << 20) + 123, 33L << 20, (64L << 20) - 4096];

    /// <summary>The virtual size of a qcow2 made by <see cref="MakeQcow2"/>: 64 MiB.</summary>
    public const long VirtualSize = 64L << 20;

    /// <summary>
    /// Makes <c>NAME.qcow2</c> in <paramref name="directory"/>: a raw file of <see cref="VirtualSize"/> with a few KiB of
    /// recognisable data at a few offsets, converted with <c>qemu-img convert -f raw -O qcow2</c>. Returns its path.
    /// </summary>
    public static string MakeQcow2(string directory, string name)
    {
        string raw = Path.Combine(directory, name + ".raw");
        using (var file = new FileStream(raw, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(VirtualSize);
            foreach (long offset in DataOffsets)
            {
                file.Position = offset;
                file.Write(Pattern(offset));
            }
        }

        string qcow2 = Path.Combine(directory, name + ".qcow2");
        Run("convert", "-q", "-f", "raw", "-O", "qcow2", raw, qcow2);
        File.Delete(raw);
        return qcow2;
    }

    /// <summary>Runs <c>qemu-img ARGUMENTS</c>, asserts it exited with 0, and returns what it printed.</summary>
    public static string Run(params string[] arguments)
    {
        RealComponent.RequireProgram("qemu-img", "qemu-utils");
        var info = new ProcessStartInfo("qemu-img") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start qemu-img.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"qemu-img {string.Join(' ', arguments)} failed: {output} {error.Result}");
        return output;
    }

    /// <summary>4 KiB that say where they are, so that data moved to another offset does not compare equal.</summary>
    private static byte[] Pattern(long offset)
    {
        byte[] bytes = new byte[4096];
        new Random((int)(offset % int.MaxValue) + 1).NextBytes(bytes);
        return bytes;
    }
}
