using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// Makes disk images at test time with qemu-img and genisoimage in a temporary directory, asks qemu-img what it sees in
/// them, and inspects them with <see cref="DiskImageInspector"/>. A missing tool is <see cref="RealComponent.Missing"/>.
/// </summary>
public sealed class DiskImageWorkshop : IDisposable
{
    private readonly TemporaryDirectory _directory;

    public DiskImageWorkshop()
    {
        RealComponent.RequireProgram("qemu-img", "qemu-utils");
        _directory = new TemporaryDirectory();
    }

    public string Path(string name) => _directory.Combine(name);

    /// <summary>Runs <c>qemu-img create -f FORMAT [OPTIONS] NAME SIZE</c> and returns the image's path.</summary>
    public string Create(string format, string name, string size, params string[] options)
    {
        string path = Path(name);
        Run("qemu-img", ["create", "-q", "-f", format, .. options, path, size]);
        return path;
    }

    /// <summary>The virtual size <c>qemu-img info -f FORMAT --output=json</c> reports (the format given, as a fixed VHD would be probed as raw).</summary>
    public static long QemuVirtualSize(string path, string qemuFormat) => QemuVirtualSizeOf("-f", qemuFormat, path);

    /// <summary>The virtual size <c>qemu-img info --output=json ARGUMENTS</c> reports (for LUKS, which needs its secret).</summary>
    public static long QemuVirtualSizeOf(params string[] arguments)
    {
        using JsonDocument info = JsonDocument.Parse(Run("qemu-img", ["info", "--output=json", .. arguments]));
        return info.RootElement.GetProperty("virtual-size").GetInt64();
    }

    public string MakeIso(string name)
    {
        RealComponent.RequireProgram("genisoimage", "genisoimage");
        string content = Directory.CreateDirectory(Path(name + ".content")).FullName;
        File.WriteAllText(System.IO.Path.Combine(content, "hello.txt"), "hello from an ISO");
        string path = Path(name);
        Run("genisoimage", ["-quiet", "-o", path, "-V", "TEST", "-r", content]);
        return path;
    }

    public static async Task<DiskImageInspection> InspectAsync(string path, string? claimedDiskFormat = null)
    {
        await using FileStream stream = File.OpenRead(path);
        return await DiskImageInspector.InspectAsync("img", stream, claimedDiskFormat, CancellationToken.None);
    }

    /// <summary>Writes <paramref name="bytes"/> into the file at <paramref name="offset"/> (from the end when negative).</summary>
    public static void Patch(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using FileStream stream = File.OpenWrite(path);
        stream.Position = offset >= 0 ? offset : stream.Length + offset;
        stream.Write(bytes);
    }

    public static string Run(string tool, IEnumerable<string> args)
    {
        (int exitCode, string output, string error) = TryRun(tool, args);
        Assert.That(exitCode, Is.Zero, $"{tool} {string.Join(' ', args)} failed: {error}");
        return output;
    }

    /// <summary>
    /// Runs <c>qemu-img create</c> for a LUKS volume, tried up to three times: qemu-img times its key derivation by CPU
    /// time, and on a busy machine that measurement can fail ("Unable to get accurate CPU usage").
    /// </summary>
    public string CreateLuks(string name, string size, string secret)
    {
        string path = Path(name);
        string[] args = ["create", "-q", "-f", "luks", "--object", $"secret,id=s,data={secret}", "-o", "key-secret=s", path, size];
        (int exitCode, string error) last = (0, string.Empty);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            (int exitCode, _, string error) = TryRun("qemu-img", args);
            if (exitCode == 0)
            {
                return path;
            }

            last = (exitCode, error);
        }

        Assert.Fail($"qemu-img {string.Join(' ', args)} failed three times: {last.error}");
        return path;
    }

    private static (int ExitCode, string Output, string Error) TryRun(string tool, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>Rewrites the descriptor embedded in a sparse VMDK (in place, within its sectors) with the given create type and extent.</summary>
    public static void WriteVmdkDescriptor(string path, string createType, string extent)
    {
        byte[] header = File.ReadAllBytes(path).AsSpan(0, 512).ToArray();
        long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(28)) * 512;
        int size = (int)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(36)) * 512;
        byte[] descriptor = new byte[size];
        Encoding.ASCII.GetBytes($"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"{createType}\"\n\n# Extent description\n{extent}\n").CopyTo(descriptor, 0);
        Patch(path, offset, descriptor);
    }

    /// <summary>
    /// Makes a streamOptimized VMDK as VMware writes it: the header's grain directory offset says "at the end", and the
    /// file ends with a footer marker, a footer (the header with the real offset, and <paramref name="footerCapacitySectors"/>
    /// when given) and an end-of-stream marker.
    /// </summary>
    public static void MoveVmdkGrainDirectoryToFooter(string path, long? footerCapacitySectors)
    {
        byte[] header = File.ReadAllBytes(path).AsSpan(0, 512).ToArray();
        byte[] footer = [.. header];
        if (footerCapacitySectors is { } capacity)
        {
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(12), capacity);
        }

        byte[] tail = new byte[1536];
        BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(12), 3);
        footer.CopyTo(tail, 512);
        Patch(path, 56, BitConverter.GetBytes(ulong.MaxValue));
        using FileStream stream = new(path, FileMode.Append);
        stream.Write(tail);
    }

    public void Dispose() => _directory.Dispose();
}
