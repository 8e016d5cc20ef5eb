using ImageVolumeCache.FileSystem;
using ImageVolumeCache.PostgreSql;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sample;

/// <summary>
/// Makes an image (or keeps the one of an earlier run), then several volumes from it on one file-system backend: the
/// first is a miss that fills a cache volume, the others are hits that clone it (the last one larger, so it is
/// extended). With the SQLite or PostgreSQL store a second run finds the entry and the cache volume of the first and starts with hits.
/// Prints each request, the cache entries and a summary of miss and hit times.
/// </summary>
internal sealed class SampleTour(IServiceProvider services, SampleOptions options, TextWriter output, ProgressBar progress, ConsoleNotifier notifier)
{
    private const string DemoImageId = "demo-image";
    private readonly List<(string VolumeId, int SizeGb, CreateVolumeFromImageResult Result)> _made = [];

    /// <summary>The image the volumes are made from: the demo image in the folder, or the Glance image of <c>--glance-image</c>.</summary>
    private string ImageId => options.UsesGlance ? options.GlanceImage : DemoImageId;

    /// <summary>Who asks: the demo project's user, with the token of <c>--glance-token</c> when one was given.</summary>
    private RequestContext Requester { get; } = new("demo-project", "demo-user") { AuthToken = options.GlanceToken.Length > 0 ? options.GlanceToken : null };

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        FolderImageService? images = options.UsesGlance ? null : services.GetRequiredService<FolderImageService>();
        var pipeline = services.GetRequiredService<CreateFromImagePipeline>();
        var cache = services.GetRequiredService<IImageVolumeCache>();

        await output.WriteLineAsync(CacheState((await cache.ListAsync(null, cancellationToken)).Count));
        await output.WriteLineAsync($"ImageVolumeCache sample: backend {SampleOptions.Backend}, volumes in {options.VolumesDirectory}, entries in {StoreName()}");
        notifier.Release();
        await RemoveEarlierUserVolumesAsync(cancellationToken);
        ImageInfo image = images is null ? await DescribeGlanceImageAsync(cancellationToken) : await AddImageAsync(images, cancellationToken);
        bool cached = (await cache.ListAsync(null, cancellationToken)).Any(e => e.ImageId == ImageId && e.ImageUpdatedAt == image.UpdatedAt);
        if (cached)
        {
            await output.WriteLineAsync("    the cache already holds it from an earlier run: this run starts with hits");
        }
        else if (options.Warm)
        {
            cached = await WarmAsync(cache, cancellationToken);
        }

        await output.WriteLineAsync();

        int sizeGb = image.MinimumSizeGb;
        for (int i = 1; i <= options.Volumes; i++)
        {
            bool larger = i == options.Volumes;
            string what = i == 1 && !cached ? "first use: a miss fills a cache volume, then clones it"
                : larger ? "a larger volume: a hit, cloned at the cached size and extended"
                : "same image again: a hit, cloned from the cache volume";
            await CreateAsync(pipeline, $"vol-{i}", larger ? sizeGb + 1 : sizeGb, what, cancellationToken);
        }

        IReadOnlyList<ImageCacheEntry> entries = await cache.ListAsync(null, cancellationToken);
        await output.WriteLineAsync($"Cache entries ({entries.Count}):");
        foreach (ImageCacheEntry entry in entries)
        {
            await output.WriteLineAsync(
                $"  scope {entry.ScopeKey}  image {entry.ImageId}  volume {entry.VolumeId}  {entry.SizeGb} GB  last used {entry.LastUsed:HH:mm:ss.fff}");
        }

        await output.WriteLineAsync();
        await WriteSummaryAsync();
        await RemoveVolumesAsync(cancellationToken);
    }

    /// <summary>Warms the cache with the image, as a host does for its <c>WarmImages</c>: a fill without a volume of its own.</summary>
    private async Task<bool> WarmAsync(IImageVolumeCache cache, CancellationToken cancellationToken)
    {
        ImageWarmResult warmed = (await cache.WarmAsync(SampleOptions.Backend, [ImageId], cancellationToken)).Single();
        await output.WriteLineAsync($"    warmed        {warmed.Outcome}{(warmed.Error is null ? string.Empty : $": {warmed.Error.Message}")}");
        return warmed.Outcome is ImageWarmOutcome.Filled or ImageWarmOutcome.AlreadyCached;
    }

    /// <summary>Describes the Glance image, as the requester sees it: one it may not see is not found.</summary>
    private async Task<ImageInfo> DescribeGlanceImageAsync(CancellationToken cancellationToken)
    {
        ImageInfo image = await services.GetRequiredService<IImageService>().GetImageAsync(Requester, ImageId, cancellationToken);
        string checksum = image.Checksum is { } sum ? $"{image.ChecksumAlgorithm} {sum[..Math.Min(16, sum.Length)]}..." : "no checksum";
        await output.WriteLineAsync($"Image {ImageId}: from Glance at {options.Glance}, {Describe(image)}, {checksum}");
        return image;
    }

    private async Task<ImageInfo> AddImageAsync(FolderImageService images, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        if (await EarlierImageAsync(images, cancellationToken) is { } earlier)
        {
            // Adding it again would give it a new updated_at, and the cache would rightly call its entry stale.
            await output.WriteLineAsync($"Image {ImageId}: kept from an earlier run in {images.Folder}, {Describe(earlier)}, sha256 {earlier.Checksum![..16]}...");
            return earlier;
        }

        if (!string.IsNullOrWhiteSpace(options.Image))
        {
            string path = Path.GetFullPath(options.Image);
            string format = options.ClaimedDiskFormat is { } claimed ? $"claimed {claimed}, checked" : "format detected";
            await output.WriteLineAsync($"Image {ImageId}: {path} ({format}), its sha256 computed once and kept in {images.Folder}");
            await images.AddImageFileAsync(
                new FolderImage(ImageId, Requester.ProjectId) { Name = Path.GetFileName(path), DiskFormat = options.ClaimedDiskFormat }, path, cancellationToken);
        }
        else
        {
            long size = (long)options.ImageSizeMb << 20;
            await output.WriteLineAsync($"Image {ImageId}: {options.ImageSizeMb} MiB of generated data, written to {images.Folder}");
            progress.Start("image", size);
            await images.AddImageAsync(
                new FolderImage(ImageId, Requester.ProjectId) { Name = $"demo ({options.ImageSizeMb} MiB)", DiskFormat = options.ClaimedDiskFormat },
                new ProgressStream(new DemoImageStream(size), progress),
                cancellationToken);
        }

        ImageInfo image = await images.GetImageAsync(Requester, ImageId, cancellationToken);
        await output.WriteLineAsync(
            $"    {Describe(image)}, sha256 {image.Checksum![..16]}..., ready in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s");
        return image;
    }

    /// <summary>The demo image of an earlier run on the same data folder, when it is the image this run would add.</summary>
    private async Task<ImageInfo?> EarlierImageAsync(FolderImageService images, CancellationToken cancellationToken)
    {
        ImageInfo image;
        try
        {
            image = await images.GetImageAsync(Requester, ImageId, cancellationToken);
        }
        catch (ImageNotFoundException)
        {
            return null;
        }

        if (options.ClaimedDiskFormat is { } claimed && !string.Equals(image.DiskFormat, claimed, StringComparison.OrdinalIgnoreCase))
        {
            return null; // added again, so that the claim is checked
        }

        bool same = string.IsNullOrWhiteSpace(options.Image)
            ? image.SizeBytes == (long)options.ImageSizeMb << 20 && !image.Locations.Any(l => !l.StartsWith(new Uri(images.Folder).AbsoluteUri, StringComparison.Ordinal))
            : image.Name == Path.GetFileName(options.Image) && image.SizeBytes == new FileInfo(options.Image).Length; // the file is linked into the folder
        return same ? image : null;
    }

    private async Task CreateAsync(CreateFromImagePipeline pipeline, string volumeId, int sizeGb, string what, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"- {volumeId}: {sizeGb} GB from {ImageId}; {what}");
        var volume = new VolumeSpec(volumeId, SampleOptions.Backend, sizeGb) { ProjectId = Requester.ProjectId, UserId = Requester.UserId };
        var request = new CreateVolumeFromImageRequest(Requester, volume, ImageId) { Progress = progress };
        CreateVolumeFromImageResult result = await pipeline.CreateAsync(request, cancellationToken);
        _made.Add((volumeId, sizeGb, result));

        string source = result.CacheEntry is null ? string.Empty : $", cloned from cache volume {result.CacheEntry.VolumeId}";
        await output.WriteLineAsync($"    path          {result.Path}{source}");
        await output.WriteLineAsync($"    time          {Milliseconds(result.Elapsed)}");
        await output.WriteLineAsync($"    steps         {string.Join(", ", result.Steps.Select(s => $"{s.Step} {Milliseconds(s.Duration)}"))}");
        if (Conversion(result) is { } conversion)
        {
            await output.WriteLineAsync($"    conversion    {conversion}");
        }

        await output.WriteLineAsync();
    }

    /// <summary>
    /// What converting the image took on this request, from its steps: the download into the scratch folder (with the
    /// checksum and the inspection) and <c>qemu-img convert</c> into the volume; <see langword="null"/> when it was not converted.
    /// </summary>
    private static string? Conversion(CreateVolumeFromImageResult result)
    {
        TimeSpan download = Duration(result, PipelineStep.DownloadToScratch);
        TimeSpan convert = Duration(result, PipelineStep.Convert);
        return download == TimeSpan.Zero && convert == TimeSpan.Zero
            ? null
            : $"download to scratch {Milliseconds(download)} + qemu-img convert {Milliseconds(convert)} = {Milliseconds(download + convert)}";
    }

    private static TimeSpan Duration(CreateVolumeFromImageResult result, PipelineStep step) =>
        result.Steps.Where(s => s.Step == step).Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);

    /// <summary>The image's format, its virtual size (the disk a volume gets) and the size of its file.</summary>
    private static string Describe(ImageInfo image)
    {
        long virtualSize = image.VirtualSizeBytes ?? image.SizeBytes;
        return $"{image.DiskFormat}, virtual size {Size(virtualSize)} ({virtualSize} bytes), file {Size(image.SizeBytes)}";
    }

    private static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";

    private async Task WriteSummaryAsync()
    {
        await output.WriteLineAsync("Summary:");
        await output.WriteLineAsync($"  {"volume",-8} {"size",6}  {"path",-18} {"time",12}");
        foreach ((string volumeId, int sizeGb, CreateVolumeFromImageResult result) in _made)
        {
            await output.WriteLineAsync($"  {volumeId,-8} {sizeGb,3} GB  {result.Path,-18} {Milliseconds(result.Elapsed),12}");
        }

        foreach ((string volumeId, _, CreateVolumeFromImageResult result) in _made)
        {
            if (Conversion(result) is { } conversion)
            {
                await output.WriteLineAsync($"  {volumeId}: the image was converted to raw on the way: {conversion}");
            }
        }

        var misses = _made.Where(m => m.Result.Path is CreateFromImagePath.CacheMissCreated).Select(m => m.Result.Elapsed).ToList();
        var hits = _made.Where(m => m.Result.Path is CreateFromImagePath.CacheHit).Select(m => m.Result.Elapsed).ToList();
        if (misses.Count > 0 && hits.Count > 0)
        {
            double hitMs = hits.Average(h => h.TotalMilliseconds);
            await output.WriteLineAsync(
                $"  miss {Milliseconds(misses[0])}, hit {hitMs:N0} ms on average over {hits.Count}: hits are {misses[0].TotalMilliseconds / hitMs:F1}x faster");
        }
        else if (hits.Count > 0)
        {
            await output.WriteLineAsync($"  hit {hits.Average(h => h.TotalMilliseconds):N0} ms on average over {hits.Count}, and no miss: an earlier run filled the cache");
        }

        await output.WriteLineAsync(
            $"  notifications: {notifier.CountOf(ImageVolumeCacheEventTypes.Hit)} hit, {notifier.CountOf(ImageVolumeCacheEventTypes.Miss)} miss, {notifier.CountOf(ImageVolumeCacheEventTypes.Evict)} evict");
        if (!options.StoresInMemory)
        {
            await output.WriteLineAsync($"  run it again (same --data-dir): the entry is kept in {StoreName()}, so it starts with hits");
        }
    }

    /// <summary>
    /// Deletes the volumes this run made (unless asked to keep them), and the cache volumes too when the entries live in
    /// memory; with SQLite or PostgreSQL the cache volumes stay for the next run.
    /// </summary>
    private async Task RemoveVolumesAsync(CancellationToken cancellationToken)
    {
        FileSystemVolumeDriver driver = Driver();
        if (options.KeepVolumes)
        {
            await output.WriteLineAsync($"  {(await driver.ListVolumesAsync(cancellationToken)).Count} volumes kept in {options.VolumesDirectory}");
            return;
        }

        var doomed = _made.Select(m => m.VolumeId).ToList();
        if (options.StoresInMemory)
        {
            doomed.AddRange((await driver.ListVolumesAsync(cancellationToken)).Select(v => v.Spec.Id).Except(doomed));
        }

        foreach (string volumeId in doomed)
        {
            await driver.DeleteVolumeAsync(volumeId, cancellationToken);
        }

        string kept = options.StoresInMemory ? string.Empty : ", the cache volume kept for the next run";
        await output.WriteLineAsync($"  {doomed.Count} volumes deleted from {options.VolumesDirectory}{kept} (--keep-volumes true keeps them all)");
    }

    /// <summary>Deletes the volumes an earlier run kept (--keep-volumes), so that this run can make volumes of the same names; cache volumes stay.</summary>
    private async Task RemoveEarlierUserVolumesAsync(CancellationToken cancellationToken)
    {
        FileSystemVolumeDriver driver = Driver();
        foreach (BackendVolume volume in await driver.ListVolumesAsync(cancellationToken))
        {
            if (!volume.Spec.Metadata.ContainsKey(CacheVolumeMetadata.CacheVolume))
            {
                await driver.DeleteVolumeAsync(volume.Spec.Id, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The first line: whether the cache starts empty or warm (with the entries an earlier run kept, so that even the
    /// first volume is a hit), and where it is kept.
    /// </summary>
    private string CacheState(int entries)
    {
        if (options.StoresInMemory)
        {
            return $"Cache: empty (entries are kept in memory, so every run starts empty; data in {options.DataDirectory})";
        }

        string where = options.StoresInPostgreSql || options.StoreFile.Length > 0 ? StoreName() : options.DataDirectory;
        return entries > 0 ? $"Cache: warm, {entries} {(entries == 1 ? "entry" : "entries")} kept from an earlier run in {where} (--reset starts empty)"
            : options.Reset ? $"Cache: empty (reset, first run in {where})"
            : $"Cache: empty (first run in {where})";
    }

    /// <summary>Where the entries are: memory, the SQLite file, or the PostgreSQL server, database and schema (never the password).</summary>
    private string StoreName() =>
        options.StoresInMemory ? "memory"
        : options.StoresInPostgreSql ? services.GetRequiredService<PostgreSqlCacheEntryStore>().Location
        : options.StoreFilePath;

    private FileSystemVolumeDriver Driver() =>
        new(new FileSystemVolumeDriverOptions { BackendName = SampleOptions.Backend, Directory = options.VolumesDirectory });

    private static string Milliseconds(TimeSpan duration) => $"{duration.TotalMilliseconds:N0} ms";
}
