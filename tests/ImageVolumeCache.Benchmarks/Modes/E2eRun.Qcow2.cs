using System.ComponentModel;
using System.Globalization;
using ImageVolumeCache.FileSystem;

namespace ImageVolumeCache.Benchmarks.Modes;

// With --image-format qcow2: the raw image of the run converted to qcow2 and added to the folder image service as such,
// then, in the same directory, a miss through the pipeline (download into the scratch folder + inspection + qemu-img
// convert into the cache volume + clone) next to what an operator would do by hand (sha256sum, then qemu-img convert to
// a raw file), and a hit of the qcow2 image next to a hit of the raw image of the same size.
public static partial class E2eRun
{
    private const string Qcow2ImageId = "e2e-image-qcow2";
    private const double Qcow2MissTarget = 1.15;

    private static async Task Qcow2Async(Bench bench, FileSystemVolumeDriver cacheDriver, FolderImageService folder, ImageInfo rawImage, string rawFile, bool reflinkFs)
    {
        // The qcow2 file is made from the raw one, untimed; the folder image service checks that it is qcow2 and computes
        // its sha256 once, as for the raw image.
        string qcow2File = Path.Combine(folder.Folder, Qcow2ImageId + ".qcow2");
        (double madeMs, _) = await QemuImgAsync("convert", "-f", "raw", "-O", "qcow2", rawFile, qcow2File).ConfigureAwait(false);
        await folder.AddImageFileAsync(new FolderImage(Qcow2ImageId, Requester.ProjectId) { Name = "e2e qcow2", DiskFormat = "qcow2" }, qcow2File, CancellationToken.None).ConfigureAwait(false);
        ImageInfo image = await folder.GetImageAsync(Requester, Qcow2ImageId, CancellationToken.None).ConfigureAwait(false);

        // (a) Misses through the pipeline, each entry evicted before the next; the last one stays for the hits.
        (List<double> misses, List<CreateVolumeFromImageResult> missResults) = await RequestsAsync(
            bench, CacheBackend, cacheDriver, "qcow2-miss", image, CreateFromImagePath.CacheMissCreated, evictBetween: true).ConfigureAwait(false);

        ByHand byHand = await ByHandAsync(bench, qcow2File).ConfigureAwait(false);
        (List<double> rawHits, List<double> qcow2Hits) = await HitsInTurnsAsync(bench, cacheDriver, rawImage, image).ConfigureAwait(false);
        Console.Write(Qcow2Table(bench, image, madeMs, misses, missResults, byHand, rawHits, qcow2Hits, reflinkFs));
    }

    /// <summary>The reference's times (sha256sum + qemu-img convert) and their parts, and what it leaves out, in ms per run.</summary>
    private sealed record ByHand(List<double> References, List<double> Checksums, List<double> Conversions, List<double> Writebacks, List<double> OpenSslChecksums);

    /// <summary>(b) By hand, on the same file system: the checksum of the file, then its conversion into a new raw file.</summary>
    private static async Task<ByHand> ByHandAsync(Bench bench, string qcow2File)
    {
        var byHand = new ByHand([], [], [], [], []);
        for (int i = 1; i <= bench.Repeat; i++)
        {
            string target = Path.Combine(bench.Root, "reference", $"qemu-img-{i}.raw");
            await SyncAsync(bench.Root).ConfigureAwait(false);
            (double checksumMs, ProcessResult checksum) = await TimeProcessAsync("sha256sum", qcow2File).ConfigureAwait(false);
            if (checksum.ExitCode != 0)
            {
                throw new InvalidOperationException($"sha256sum failed: {checksum.Error.Trim()}");
            }

            (double convertMs, _) = await QemuImgAsync("convert", "-f", "qcow2", "-O", "raw", qcow2File, target).ConfigureAwait(false);
            byHand.References.Add(checksumMs + convertMs);
            byHand.Checksums.Add(checksumMs);
            byHand.Conversions.Add(convertMs);

            // Not part of the reference: what writing the converted file back to disk costs, which the pipeline's fsync of the
            // cache volume pays; and the checksum by OpenSSL, which uses the processor's SHA instructions as .NET does
            // (coreutils' sha256sum does not).
            (double syncMs, _) = await TimeProcessAsync("sync", "-f", target).ConfigureAwait(false);
            byHand.Writebacks.Add(syncMs);
            File.Delete(target);
            if (await TryTimeProcessAsync("openssl", "dgst", "-sha256", qcow2File).ConfigureAwait(false) is { } openSslMs)
            {
                byHand.OpenSslChecksums.Add(openSslMs);
            }
        }

        return byHand;
    }

    /// <summary>(c) Hits of both images in turns (which goes first alternates): each a clone of a raw cache volume of the same size.</summary>
    private static async Task<(List<double> Raw, List<double> Qcow2)> HitsInTurnsAsync(Bench bench, FileSystemVolumeDriver cacheDriver, ImageInfo rawImage, ImageInfo qcow2Image)
    {
        var rawHits = new List<double>();
        var qcow2Hits = new List<double>();
        Bench once = bench with { Repeat = 1 };
        for (int i = 1; i <= bench.Repeat; i++)
        {
            bool[] rawFirst = i % 2 == 1 ? [true, false] : [false, true];
            foreach (bool raw in rawFirst)
            {
                (List<double> hit, _) = await RequestsAsync(
                    once, CacheBackend, cacheDriver, $"{(raw ? "raw" : "qcow2")}-hit-{i}", raw ? rawImage : qcow2Image, CreateFromImagePath.CacheHit).ConfigureAwait(false);
                (raw ? rawHits : qcow2Hits).Add(hit[0]);
            }
        }

        return (rawHits, qcow2Hits);
    }

    private static string Qcow2Table(
        Bench bench, ImageInfo image, double madeMs, List<double> misses, List<CreateVolumeFromImageResult> missResults, ByHand byHand, List<double> rawHits, List<double> qcow2Hits, bool reflinkFs)
    {
        double missRatio = Median(misses) / Median(byHand.References);
        double hitRatio = Median(qcow2Hits) / Median(rawHits);
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine();
        w.WriteLine($"### {bench.Root}: the image as qcow2");
        w.WriteLine();
        w.WriteLine($"qcow2 file {image.SizeBytes >> 20} MiB (virtual size {image.VirtualSizeBytes >> 20} MiB; made with qemu-img convert -f raw -O qcow2 in {madeMs:F0} ms, untimed), scratch folder {Path.Combine(bench.Root, "scratch")} on the volumes' file system; wall-clock ms, median (min) of {bench.Repeat} runs, each after sync -f.");
        w.WriteLine();
        w.WriteLine("| step | path | ms |");
        w.WriteLine("|---|---|---:|");
        w.WriteLine($"| (a) miss: download into scratch + inspect + convert into the cache volume + clone | {CreateFromImagePath.CacheMissCreated} | {Spread(misses)} |");
        w.WriteLine($"| of which {PipelineStep.DownloadToScratch}: copy into the scratch folder, sha256, inspection | — | {Spread(StepTimes(missResults, PipelineStep.DownloadToScratch))} |");
        w.WriteLine($"| of which {PipelineStep.Convert}: qemu-img convert into the cache volume, fsync | — | {Spread(StepTimes(missResults, PipelineStep.Convert))} |");
        w.WriteLine($"| of which {PipelineStep.CloneFromCache}: the user's volume cloned from the cache volume | — | {Spread(StepTimes(missResults, PipelineStep.CloneFromCache))} |");
        w.WriteLine($"| (b) reference: sha256sum + qemu-img convert -f qcow2 -O raw into a new file | — | {Spread(byHand.References)} |");
        w.WriteLine($"| of which sha256sum | — | {Spread(byHand.Checksums)} |");
        w.WriteLine($"| of which qemu-img convert | — | {Spread(byHand.Conversions)} |");
        w.WriteLine($"| not in the reference: sync -f of its converted file, after it | — | {Spread(byHand.Writebacks)} |");
        w.WriteLine(byHand.OpenSslChecksums.Count > 0
            ? $"| not in the reference: openssl dgst -sha256 of the qcow2 file, instead of sha256sum | — | {Spread(byHand.OpenSslChecksums)} |"
            : "| not in the reference: openssl dgst -sha256 of the qcow2 file | — | n/a (no openssl) |");
        w.WriteLine($"| (c) hit of the raw image | {CreateFromImagePath.CacheHit} | {Spread(rawHits)} |");
        w.WriteLine($"| (c) hit of the qcow2 image | {CreateFromImagePath.CacheHit} | {Spread(qcow2Hits)} |");
        w.WriteLine();
        w.WriteLine("| ratio | value | target |");
        w.WriteLine("|---|---:|---:|");
        w.WriteLine($"| miss / reference | {missRatio:F2}× | ≤ {Qcow2MissTarget:F2}× |");
        if (byHand.OpenSslChecksums.Count > 0)
        {
            w.WriteLine($"| miss / (openssl dgst -sha256 + qemu-img convert) | {Median(misses) / (Median(byHand.OpenSslChecksums) + Median(byHand.Conversions)):F2}× | — |");
        }

        w.WriteLine($"| hit qcow2 / hit raw | {hitRatio:F2}× | ≈ 1.0× |");
        w.WriteLine();
        w.WriteLine(missRatio <= Qcow2MissTarget
            ? $"- target met: a qcow2 miss within {Qcow2MissTarget:F2}× of sha256sum + qemu-img convert ({missRatio:F2}×)"
            : $"- target missed by {missRatio / Qcow2MissTarget:F2}×: a qcow2 miss is {missRatio:F2}× sha256sum + qemu-img convert, the target {Qcow2MissTarget:F2}× ({Median(misses) - (Median(byHand.References) * Qcow2MissTarget):F0} ms over)");
        if (!reflinkFs)
        {
            w.WriteLine("- no reflink here: the miss's clone of the cache volume copies all the data, which the reference does not do");
        }

        return w.ToString();
    }

    /// <summary>How long <paramref name="step"/> took in each request (0 when a request did not take it).</summary>
    private static List<double> StepTimes(List<CreateVolumeFromImageResult> results, PipelineStep step) =>
        [.. results.Select(r => r.Steps.Where(s => s.Step == step).Sum(s => s.Duration.TotalMilliseconds))];

    /// <summary>Runs a program, timed; <see langword="null"/> when it cannot be started or fails.</summary>
    private static async Task<double?> TryTimeProcessAsync(string file, params string[] arguments)
    {
        try
        {
            (double ms, ProcessResult result) = await TimeProcessAsync(file, arguments).ConfigureAwait(false);
            return result.ExitCode == 0 ? ms : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs qemu-img, timed; a failure, or a qemu-img that cannot be started, is an <see cref="InvalidOperationException"/>.</summary>
    private static async Task<(double Ms, ProcessResult Result)> QemuImgAsync(params string[] arguments)
    {
        (double Ms, ProcessResult Result) run;
        try
        {
            run = await TimeProcessAsync("qemu-img", arguments).ConfigureAwait(false);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"qemu-img could not be run ({ex.Message}): --image-format qcow2 needs Debian's qemu-utils.", ex);
        }

        return run.Result.ExitCode == 0
            ? run
            : throw new InvalidOperationException($"qemu-img {string.Join(' ', arguments)} failed: {run.Result.Error.Trim()}");
    }
}
