using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Images.Formats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Images.Conversion;

/// <summary>
/// Runs <c>qemu-img convert</c> on an image the inspector accepted: the format given (qemu-img never probes) and no
/// backing disk allowed, through a <c>json:</c> source specification; raw out, sparse, under <c>prlimit</c>'s address-space and processor-time limits, in the image's own scratch
/// folder. A cancelled conversion kills the process and waits for it to be gone. Asked for progress, it runs with
/// <c>-p</c> instead of <c>-q</c> and reads the percentages qemu-img prints.
/// </summary>
internal sealed class QemuImgConverter(
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    ImageVolumeCacheConfigurationPath path,
    ILogger<QemuImgConverter> logger)
{
    /// <summary>How much of qemu-img's error output a failure quotes.</summary>
    private const int MaxErrorChars = 4000;

    /// <summary>
    /// Converts <paramref name="source"/> (of <paramref name="format"/>) to raw at <paramref name="target"/>. With
    /// <paramref name="intoExisting"/>, the target is a volume that already exists and reads as zeros: it is written in
    /// place and zero blocks are skipped; otherwise qemu-img makes a new sparse file. <paramref name="progress"/>, when
    /// given, is told each percentage qemu-img prints (0 to 100), on a thread of the process's output.
    /// </summary>
    /// <exception cref="ImageUnacceptableException">qemu-img failed on the image, or went over a limit; the message quotes its error output.</exception>
    /// <exception cref="IOException">The target's file system is full.</exception>
    /// <exception cref="InvalidOperationException">prlimit or qemu-img could not be run.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; qemu-img was killed and has exited.</exception>
    public async ValueTask ConvertAsync(
        string imageId, string source, DiskImageFormat format, string target, bool intoExisting, Action<double>? progress, CancellationToken cancellationToken)
    {
        if (!Path.IsPathFullyQualified(source) || !Path.IsPathFullyQualified(target))
        {
            // A relative name could be read by qemu-img as a protocol ("nbd:", "json:"): only absolute paths are passed.
            throw new ArgumentException($"Conversion of image '{imageId}' needs absolute paths, but got '{source}' and '{target}'.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        DiskImageConversionOptions limits = options.CurrentValue.Conversion;
        using Process process = Start(source, format, target, intoExisting, progress is not null, limits);
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    if (errors.Length < MaxErrorChars)
                    {
                        errors.Append(e.Data.AsSpan(0, Math.Min(e.Data.Length, MaxErrorChars - errors.Length))).Append(' ');
                    }
                }
            }
        };
        if (progress is not null)
        {
            // qemu-img ends each percentage with a carriage return, which the reader takes as the end of a line.
            process.OutputDataReceived += (_, e) =>
            {
                if (TryParseProgress(e.Data, out double percent))
                {
                    progress(percent);
                }
            };
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        using (cancellationToken.UnsafeRegister(
            static state =>
            {
                try
                {
                    ((Process)state!).Kill(entireProcessTree: true);
                }
                catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
                {
                    // It has exited already.
                }
            },
            process))
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        process.WaitForExit(); // and its output readers have drained
        if (cancellationToken.IsCancellationRequested && process.ExitCode != 0)
        {
            Log.ConversionKilled(logger, imageId, process.Id);
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (process.ExitCode == 0)
        {
            return;
        }

        string output;
        lock (errors)
        {
            output = errors.ToString().Trim();
        }

        throw Failed(imageId, format, process.ExitCode, output, limits);
    }

    private Process Start(string source, DiskImageFormat format, string target, bool intoExisting, bool progress, DiskImageConversionOptions limits)
    {
        var start = new ProcessStartInfo("prlimit")
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = false,
            WorkingDirectory = Path.GetDirectoryName(source),
        };
        // glibc reserves 64 MiB of address space for each malloc arena, up to eight per core, and qemu-img's worker threads
        // each get one: under the address-space limit, a busy machine's extra threads then fail to start (qemu aborts in
        // qemu_thread_create). Two arenas keep the limit for the image's own needs.
        start.Environment["MALLOC_ARENA_MAX"] = "2";
        long addressSpace = (long)limits.AddressSpaceLimitMb * 1024 * 1024;
        long cpuSeconds = Math.Max(1, (long)Math.Ceiling(limits.CpuTimeLimit.TotalSeconds));
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--as={addressSpace}"));
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--cpu={cpuSeconds}"));
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(limits.QemuImgPath);
        start.ArgumentList.Add("convert");
        start.ArgumentList.Add(progress ? "-p" : "-q");
        start.ArgumentList.Add("-O");
        start.ArgumentList.Add("raw");
        if (intoExisting)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add("--target-is-zero");
        }

        if (limits.RateLimitBytesPerSecond > 0)
        {
            start.ArgumentList.Add("-r");
            start.ArgumentList.Add(limits.RateLimitBytesPerSecond.ToString(CultureInfo.InvariantCulture));
        }

        start.ArgumentList.Add(SourceSpecification(source, format));
        start.ArgumentList.Add(target);
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("prlimit could not be started.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"prlimit (util-linux) could not be run to start qemu-img under its limits: {ex.Message}. Install util-linux.", ex);
        }
    }

    /// <summary>
    /// The source as qemu-img's <c>json:</c> specification: the format's driver given (nothing probed), the protocol
    /// fixed to a local file, and <c>"backing": null</c>, so that qemu-img opens no backing or parent disk whatever the
    /// image's header names. The inspector refuses such images already; this is the second wall.
    /// </summary>
    internal static string SourceSpecification(string source, DiskImageFormat format) =>
        "json:" + new JsonObject
        {
            ["driver"] = DiskFormatNames.QemuName(format),
            ["backing"] = null,
            ["file"] = new JsonObject { ["driver"] = "file", ["filename"] = source },
        }.ToJsonString();

    /// <summary>
    /// Reads a percentage from a line of <c>qemu-img convert -p</c> output, <c>"    (12.50/100%)"</c>: the last
    /// <c>(N/100%)</c> in the line, N a number from 0 to 100. Anything else (another message, a cut or garbled line) is no
    /// percentage.
    /// </summary>
    internal static bool TryParseProgress(string? line, out double percent)
    {
        percent = 0;
        const string End = "/100%)";
        int end = line is null ? -1 : line.LastIndexOf(End, StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        int open = line!.LastIndexOf('(', end);
        return open >= 0
            && double.TryParse(line.AsSpan(open + 1, end - open - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent)
            && percent <= 100;
    }

    private Exception Failed(string imageId, DiskImageFormat format, int exitCode, string output, DiskImageConversionOptions limits)
    {
        string key = path.Key("Conversion:QemuImgPath");
        if (exitCode is 126 or 127)
        {
            return new InvalidOperationException(
                $"qemu-img could not be run as '{limits.QemuImgPath}' ({key}): {output} Install qemu-utils, or set {key}.");
        }

        if (output.Contains("No space left on device", StringComparison.OrdinalIgnoreCase))
        {
            return new IOException($"Converting image '{imageId}' to raw ran out of space: {output}");
        }

        string why = exitCode switch
        {
            137 or 152 => string.Create(CultureInfo.InvariantCulture, $" (killed: it went over its processor time limit of {limits.CpuTimeLimit}, {path.Key("Conversion:CpuTimeLimit")})"),
            134 => string.Create(CultureInfo.InvariantCulture, $" (aborted; its address space is limited to {limits.AddressSpaceLimitMb} MiB, {path.Key("Conversion:AddressSpaceLimitMb")})"),
            _ => string.Empty,
        };
        return new ImageUnacceptableException(
            imageId,
            $"Image '{imageId}' could not be converted from {DiskFormatNames.Name(format)} to raw: qemu-img exited with code {exitCode}{why}: {(output.Length == 0 ? "(no error output)" : output)}");
    }
}
