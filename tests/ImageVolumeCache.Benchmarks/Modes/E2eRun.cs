using System.Diagnostics;
using System.Globalization;
using ImageVolumeCache.Benchmarks.Support;
using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageVolumeCache.Benchmarks.Modes;

/// <summary>
/// End to end on the file-system backend: an image of pseudo-random data in a folder image service, then, through the
/// public API (AddImageVolumeCache + AddFileSystemBackend + UseFolderImageService, in-memory entry store), the time of
/// the no-cache path (download + copy), the first miss (download into the cache volume + clone), a hit, and as the
/// physical reference <c>cp --reflink=always</c> of the cache volume's file (plain <c>cp</c> when the file system cannot
/// reflink), each repeated (<c>--repeat</c>, median and min) after a <c>sync -f</c>. One table per directory, with the ratios
/// hit / reference and no cache / hit and the design targets (DESIGN section 8). With <c>--image-format qcow2</c>, a
/// second table per directory times a qcow2 image (see E2eRun.Qcow2.cs).
/// </summary>
public static partial class E2eRun
{
    private const string NoCacheBackend = "e2e@nocache";
    private const string CacheBackend = "e2e@cache";
    private const string ImageId = "e2e-image";
    private const double HitTarget = 1.2;
    private const double NoCacheTarget = 50;
    private const double MissTarget = 1.25;
    private static readonly RequestContext Requester = new("e2e-project", "e2e-user");

    public static async Task<int> RunAsync(string[] args)
    {
        int imageSizeMb = IntOption(args, "--image-size-mb", 1024);
        int repeat = IntOption(args, "--repeat", 5);
        string imageFormat = Options(args, "--image-format").LastOrDefault() ?? "raw";
        if (imageSizeMb < 1 || repeat < 1 || imageFormat is not ("raw" or "qcow2"))
        {
            await Console.Error.WriteLineAsync("error: --image-size-mb and --repeat must be at least 1, and --image-format raw or qcow2.").ConfigureAwait(false);
            return 2;
        }

        List<string> directories = Options(args, "--dir");
        if (directories.Count == 0)
        {
            directories.Add(Path.GetTempPath());
            if (Environment.GetEnvironmentVariable("IMAGEVOLUMECACHE_REFLINK_DIR") is { Length: > 0 } reflinkDir)
            {
                directories.Add(reflinkDir);
            }
        }

        double[] load = LoadAverage();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"# e2e: file-system backend, {imageSizeMb} MiB image of pseudo-random data ({imageFormat}), in-memory entry store, {Environment.ProcessorCount} CPU(s), load average {load[0]:F2} {load[1]:F2} {load[2]:F2}{(load[0] > 2 ? " (a busy machine)" : string.Empty)}"));
        int status = 0;
        var figures = new List<E2eFigures>();
        foreach (string directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                await Console.Error.WriteLineAsync($"error: {directory} does not exist.").ConfigureAwait(false);
                status = 2;
                continue;
            }

            string root = Path.Combine(Path.GetFullPath(directory), $"ivc-e2e-{Environment.ProcessId}");
            try
            {
                figures.Add(await RunInAsync(root, (long)imageSizeMb << 20, repeat, qcow2: imageFormat == "qcow2").ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: the e2e run in {directory} failed: {ex.Message}").ConfigureAwait(false);
                status = 1;
            }
            finally
            {
                RemoveTree(root);
            }
        }

        if (Options(args, "--json").LastOrDefault() is { } json)
        {
            // The medians, for the charts mode (eng/run-benchmarks.sh).
            await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(figures, new System.Text.Json.JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
        }

        return status;
    }

    /// <summary>One directory's medians, in ms, as <c>--json</c> writes them.</summary>
    public sealed record E2eFigures(
        string Directory, string FileSystem, bool Reflink, long ImageMiB, double NoCacheMs, double MissMs, double HitMs, double ReferenceMs, string Reference, double? FicloneMs,
        double ChecksumMs, double ImageCopyMs);

    private static async Task<E2eFigures> RunInAsync(string root, long imageBytes, int repeat, bool qcow2)
    {
        string images = Path.Combine(root, "images");
        string noCacheVolumes = Path.Combine(root, "nocache");
        string cacheVolumes = Path.Combine(root, "cache");
        string scratch = Path.Combine(root, "reference");
        foreach (string path in new[] { images, noCacheVolumes, cacheVolumes, scratch })
        {
            Directory.CreateDirectory(path);
        }

        string fsType = await FileSystemTypeAsync(root).ConfigureAwait(false);
        var cloneLog = new LoggedEvents(4000);
        var services = new ServiceCollection();
        services.AddSingleton(cloneLog);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(CapturingLogger<>));
        services.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = "cache-project";
                options.InternalTenant.UserId = "cache-user";
                options.ReconcileOnStartup = false;
                options.Backends[NoCacheBackend] = new BackendCacheOptions { Enabled = false };

                // Images that are converted are downloaded beside the volumes, on the same file system.
                options.Conversion.ScratchDirectory = Path.Combine(root, "scratch");
            })
            // Both backends copy the image: with a direct image clone, a reflink file system would reflink the image file
            // itself into the volume and the cache would never be used.
            .AddFileSystemBackend(NoCacheBackend, o =>
            {
                o.Directory = noCacheVolumes;
                o.CloneImagesDirectly = false;
            })
            .AddFileSystemBackend(CacheBackend, o =>
            {
                o.Directory = cacheVolumes;
                o.CloneImagesDirectly = false;
            })
            .UseFolderImageService(images)
            .UseNotifier(_ => NoOpNotifier.Instance);
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var pipeline = provider.GetRequiredService<CreateFromImagePipeline>();
        var folder = provider.GetRequiredService<FolderImageService>();
        var cache = provider.GetRequiredService<IImageVolumeCache>();

        // Drivers over the same directories, to find and delete the volumes the requests made.
        var noCacheDriver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = NoCacheBackend, Directory = noCacheVolumes });
        var cacheDriver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = CacheBackend, Directory = cacheVolumes });

        // The image file is written where the folder image service keeps images; its sha256 is computed once, when it is added.
        var clock = Stopwatch.StartNew();
        string imageFile = Path.Combine(images, ImageId + ".raw");
        PseudoRandomFile.Write(imageFile, imageBytes);
        await folder.AddImageFileAsync(new FolderImage(ImageId, Requester.ProjectId) { Name = "e2e" }, imageFile, CancellationToken.None).ConfigureAwait(false);
        ImageInfo image = await folder.GetImageAsync(Requester, ImageId, CancellationToken.None).ConfigureAwait(false);
        double imageMs = clock.Elapsed.TotalMilliseconds;
        var bench = new Bench(root, repeat, pipeline, cache);

        // (1) No cache: the image is downloaded (read and checksummed) and copied into the volume.
        (List<double> noCache, _) = await RequestsAsync(bench, NoCacheBackend, noCacheDriver, "nocache", image, CreateFromImagePath.Download).ConfigureAwait(false);

        // (2) The first miss: download into a new cache volume, then clone it into the user's volume. The entry is evicted
        // (its cache volume deleted) before the next miss; the last one stays for the hits.
        (List<double> misses, List<CreateVolumeFromImageResult> missResults) = await RequestsAsync(
            bench, CacheBackend, cacheDriver, "miss", image, CreateFromImagePath.CacheMissCreated, evictBetween: true).ConfigureAwait(false);

        // (3) Hits: a clone of the cache volume.
        (List<double> hits, List<CreateVolumeFromImageResult> hitResults) = await RequestsAsync(bench, CacheBackend, cacheDriver, "hit", image, CreateFromImagePath.CacheHit).ConfigureAwait(false);

        // Where a hit's time goes: the median of each pipeline step the hits took (the clone's step holds the driver's work).
        Console.WriteLine("Hit steps in " + root + " (" + fsType + "), median ms: " + string.Join(", ", hitResults
            .SelectMany(r => r.Steps)
            .GroupBy(t => t.Step)
            .Select(g => $"{g.Key} {Median([.. g.Select(t => t.Duration.TotalMilliseconds)]).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}")));

        string cacheVolumeFile = cacheDriver.GetVolumePath(missResults[^1].CacheEntry!.VolumeId);

        // (4) The reference: cp of the cache volume's file on the same file system, started as a process like an operator would.
        bool reflinkFs = true;
        string refused = string.Empty;
        var copies = new List<double>();
        for (int i = 1; i <= repeat; i++)
        {
            string target = Path.Combine(scratch, $"cp-{i}.img");
            await SyncAsync(root).ConfigureAwait(false);
            (double ms, ProcessResult result) = await TimeProcessAsync("cp", reflinkFs ? ["--reflink=always", cacheVolumeFile, target] : [cacheVolumeFile, target]).ConfigureAwait(false);
            if (result.ExitCode != 0 && reflinkFs)
            {
                // No reflink here: plain cp instead (coreutils tries a reflink, then copy_file_range, as the driver does).
                reflinkFs = false;
                refused = result.Error.Trim()[(result.Error.Trim().LastIndexOf(": ", StringComparison.Ordinal) + 1)..].Trim();
                File.Delete(target);
                (ms, result) = await TimeProcessAsync("cp", cacheVolumeFile, target).ConfigureAwait(false);
            }

            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"cp failed: {result.Error.Trim()}");
            }

            copies.Add(ms);
            File.Delete(target);
        }

        string referenceNote = reflinkFs ? "cp --reflink=always" : "plain cp";

        // The miss's reference: what reading the image once costs, the slower of sha256sum (the checksum a miss verifies)
        // and a plain copy of the image file into the volumes' file system (the write a miss makes), each started as a
        // process, side by side with the misses above. A miss that overlaps download, checksum and write approaches it.
        var checksums = new List<double>();
        var imageCopies = new List<double>();
        for (int i = 1; i <= repeat; i++)
        {
            await SyncAsync(root).ConfigureAwait(false);
            (double sumMs, ProcessResult sum) = await TimeProcessAsync("sha256sum", imageFile).ConfigureAwait(false);
            if (sum.ExitCode != 0)
            {
                throw new InvalidOperationException($"sha256sum failed: {sum.Error.Trim()}");
            }

            checksums.Add(sumMs);
            string copy = Path.Combine(scratch, $"image-copy-{i}.raw");
            await SyncAsync(root).ConfigureAwait(false);
            (double copyMs, ProcessResult copied) = await TimeProcessAsync("cp", "--reflink=never", imageFile, copy).ConfigureAwait(false);
            if (copied.ExitCode != 0)
            {
                throw new InvalidOperationException($"cp --reflink=never failed: {copied.Error.Trim()}");
            }

            imageCopies.Add(copyMs);
            File.Delete(copy);
        }

        double missReferenceMs = Math.Max(Median(checksums), Median(imageCopies));

        // Process start cost, which the reference includes: cp of a 4 KiB file.
        string tiny = Path.Combine(scratch, "tiny");
        PseudoRandomFile.Write(tiny, 4096);

        var tinyCopies = new List<double>();
        for (int i = 1; i <= repeat; i++)
        {
            string target = Path.Combine(scratch, $"tiny-{i}");
            (double ms, _) = await TimeProcessAsync("cp", tiny, target).ConfigureAwait(false);
            tinyCopies.Add(ms);
            File.Delete(target);
        }

        // FICLONE in-process: the reference without a process start, where the file system can reflink.
        var ficlones = new List<double>();
        int ficloneErrno = 0;
        for (int i = 1; i <= repeat && ficloneErrno == 0; i++)
        {
            string target = Path.Combine(scratch, $"ficlone-{i}.img");
            await SyncAsync(root).ConfigureAwait(false);
            long started = Stopwatch.GetTimestamp();
            ficloneErrno = Reflink.TryCopy(cacheVolumeFile, target);
            double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (ficloneErrno == 0)
            {
                ficlones.Add(ms);
                File.Delete(target);
            }
        }

        string method = cloneLog.Find("Backend", CacheBackend, "Method") ?? "unknown (no event 4000 logged)";
        double hitMs = Median(hits);
        double referenceMs = Median(copies);
        double hitRatio = hitMs / referenceMs;
        double noCacheMs = Median(noCache);
        double noCacheRatio = noCacheMs / hitMs;

        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine();
        w.WriteLine($"## {root}: {fsType}{(reflinkFs ? ", reflink" : ", no reflink")}");
        w.WriteLine();
        if (!reflinkFs)
        {
            w.WriteLine($"cp --reflink=always refused here ({refused}), so the reference is plain cp.");
            w.WriteLine();
        }

        w.WriteLine($"Image {imageBytes >> 20} MiB (made and checksummed in {imageMs:F0} ms, in the page cache), driver clones by {method}, reference {referenceNote}; wall-clock ms, median (min) of {repeat} runs, each after sync -f.");
        w.WriteLine();
        w.WriteLine("| step | path | ms |");
        w.WriteLine("|---|---|---:|");
        w.WriteLine($"| no cache: download + copy into the volume | {CreateFromImagePath.Download} | {Spread(noCache)} |");
        w.WriteLine($"| first miss: download into the cache volume + clone | {CreateFromImagePath.CacheMissCreated} | {Spread(misses)} |");
        w.WriteLine($"| hit: clone of the cache volume ({method}) | {CreateFromImagePath.CacheHit} | {Spread(hits)} |");
        w.WriteLine($"| miss reference: sha256sum of the image file | — | {Spread(checksums)} |");
        w.WriteLine($"| miss reference: cp --reflink=never of the image file | — | {Spread(imageCopies)} |");
        w.WriteLine($"| reference: {referenceNote} of the cache volume's file, process start included | — | {Spread(copies)} |");
        w.WriteLine($"| process start: cp of a 4 KiB file | — | {Spread(tinyCopies)} |");
        w.WriteLine(ficloneErrno == 0
            ? $"| FICLONE in-process of the cache volume's file (no process start) | — | {Spread(ficlones)} |"
            : $"| FICLONE in-process of the cache volume's file | — | n/a (errno {ficloneErrno}) |");
        w.WriteLine();
        w.WriteLine("| ratio | value | target |");
        w.WriteLine("|---|---:|---:|");
        w.WriteLine($"| hit / reference | {hitRatio:F2}× | ≤ {HitTarget:F1}× |");
        w.WriteLine($"| no cache / hit | {noCacheRatio:F1}× | ≥ {NoCacheTarget:F0}× |");
        w.WriteLine($"| first miss / the slower of sha256sum and cp of the image | {Median(misses) / missReferenceMs:F2}× | ≤ {MissTarget:F2}× |");
        if (ficloneErrno == 0)
        {
            w.WriteLine($"| hit / FICLONE in-process | {hitMs / Median(ficlones):F2}× | — |");
        }

        w.WriteLine();
        if (reflinkFs)
        {
            w.WriteLine(hitRatio <= HitTarget
                ? $"- target met: hit within {HitTarget:F1}× of cp --reflink=always ({hitRatio:F2}×)"
                : $"- target missed by {hitRatio / HitTarget:F2}×: hit is {hitRatio:F2}× cp --reflink=always, the target {HitTarget:F1}× ({hitMs - referenceMs * HitTarget:F1} ms over)");
            string size = imageBytes == 1L << 30 ? string.Empty : $" (this image is {imageBytes >> 20} MiB; the target is for 1 GiB)";
            w.WriteLine(noCacheRatio >= NoCacheTarget
                ? $"- target met: hit {noCacheRatio:F0}× faster than the no-cache path, ≥ {NoCacheTarget:F0}×{size}"
                : $"- target missed by {NoCacheTarget / noCacheRatio:F2}×: hit {noCacheRatio:F1}× faster than the no-cache path, the target ≥ {NoCacheTarget:F0}×{size}");
        }
        else
        {
            w.WriteLine($"- the targets are for a reflink-capable file system; here a hit copies all the data ({method}) and the reference is plain cp, so the ratios are for comparison only");
        }

        Console.Write(w.ToString());
        if (qcow2)
        {
            await Qcow2Async(bench, cacheDriver, folder, image, imageFile, reflinkFs).ConfigureAwait(false);
        }

        return new E2eFigures(
            Path.GetDirectoryName(root)!, fsType, reflinkFs, imageBytes >> 20, noCacheMs, Median(misses), hitMs, referenceMs, referenceNote,
            ficloneErrno == 0 ? Median(ficlones) : null, Median(checksums), Median(imageCopies));
    }

    /// <summary>What the timed requests in one directory share: its folder, the pipeline, the cache and the number of runs.</summary>
    private sealed record Bench(string Root, int Repeat, CreateFromImagePipeline Pipeline, IImageVolumeCache Cache);

    /// <summary>
    /// Makes <see cref="Bench.Repeat"/> volumes one after the other, each deleted before the next (on a file system without
    /// reflink each is a full copy), and returns their times and results. Every timed request starts with no dirty data on
    /// the file system (sync -f, untimed), so that one step's writeback does not slow down the next. With
    /// <paramref name="evictBetween"/> (misses), each request's cache entry is evicted before the next; the last one stays.
    /// </summary>
    private static async Task<(List<double> Times, List<CreateVolumeFromImageResult> Results)> RequestsAsync(
        Bench bench, string backend, FileSystemVolumeDriver driver, string prefix, ImageInfo image, CreateFromImagePath expected, bool evictBetween = false)
    {
        var times = new List<double>();
        var results = new List<CreateVolumeFromImageResult>();
        for (int i = 1; i <= bench.Repeat; i++)
        {
            if (evictBetween && results.Count > 0 && !await bench.Cache.EvictAsync(results[^1].CacheEntry!, CancellationToken.None).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"the cache entry of volume {results[^1].CacheEntry!.VolumeId} could not be evicted.");
            }

            await SyncAsync(bench.Root).ConfigureAwait(false);
            (double ms, CreateVolumeFromImageResult result) = await CreateAsync(bench.Pipeline, backend, $"{prefix}-{i}", image, expected).ConfigureAwait(false);
            times.Add(ms);
            results.Add(result);
            await driver.DeleteVolumeAsync(result.Volume.Id, CancellationToken.None).ConfigureAwait(false);
        }

        return (times, results);
    }

    /// <summary>
    /// The type of the file system holding <paramref name="path"/>: that of the longest mount point above it in
    /// /proc/mounts (stat -f reports ext4 as "ext2/ext3"), else stat's answer.
    /// </summary>
    private static async Task<string> FileSystemTypeAsync(string path)
    {
        string real = new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        if (File.Exists("/proc/mounts"))
        {
            string? type = File.ReadAllLines("/proc/mounts")
                .Select(line => line.Split(' '))
                .Where(f => f.Length > 2 && IsUnder(real, f[1].Replace("\\040", " ", StringComparison.Ordinal)))
                .OrderByDescending(f => f[1].Length)
                .Select(f => f[2])
                .FirstOrDefault();
            if (type is not null)
            {
                return type;
            }
        }

        return (await RunProcessAsync("stat", "-f", "-c", "%T", path).ConfigureAwait(false)).Output.Trim();
    }

    private static bool IsUnder(string path, string mountPoint) =>
        mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);

    private static async Task SyncAsync(string path)
    {
        ProcessResult result = await RunProcessAsync("sync", "-f", path).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"sync -f {path} failed: {result.Error.Trim()}");
        }
    }

    private static async Task<(double Ms, CreateVolumeFromImageResult Result)> CreateAsync(
        CreateFromImagePipeline pipeline, string backend, string volumeId, ImageInfo image, CreateFromImagePath expected)
    {
        var volume = new VolumeSpec(volumeId, backend, image.MinimumSizeGb) { ProjectId = Requester.ProjectId, UserId = Requester.UserId };
        long started = Stopwatch.GetTimestamp();
        CreateVolumeFromImageResult result = await pipeline.CreateAsync(new CreateVolumeFromImageRequest(Requester, volume, image.Id), CancellationToken.None).ConfigureAwait(false);
        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return result.Path == expected
            ? (ms, result)
            : throw new InvalidOperationException($"{volumeId} on {backend} was made by {result.Path}, {expected} expected.");
    }

    private readonly record struct ProcessResult(int ExitCode, string Output, string Error);

    private static async Task<(double Ms, ProcessResult Result)> TimeProcessAsync(string file, params string[] arguments)
    {
        long started = Stopwatch.GetTimestamp();
        ProcessResult result = await RunProcessAsync(file, arguments).ConfigureAwait(false);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, result);
    }

    private static async Task<ProcessResult> RunProcessAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return new ProcessResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    private static double[] LoadAverage()
    {
        try
        {
            return [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [double.NaN, double.NaN, double.NaN];
        }
    }

    /// <summary>Deletes the run's folder; cache volumes are read-only (0444), which only needs the folder writable.</summary>
    private static void RemoveTree(string root)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Spread(List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Format(Median(values))} ({Format(values.Min())})");

    private static string Format(double ms) =>
        ms.ToString(ms >= 100 ? "F0" : ms >= 1 ? "F1" : "F3", CultureInfo.InvariantCulture);

    private static List<string> Options(string[] args, string name) =>
        [.. args.Select((a, i) => (a, i)).Where(p => p.a == name && p.i + 1 < args.Length).Select(p => args[p.i + 1])];

    private static int IntOption(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
