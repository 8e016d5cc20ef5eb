using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sample;

/// <summary>
/// Makes an image, then several volumes from it on one file-system backend: the first is a miss that fills a cache
/// volume, the others are hits that clone it (the last one larger, so it is extended). Prints each request, the cache
/// entries and a summary of miss and hit times.
/// </summary>
internal sealed class SampleTour(IServiceProvider services, SampleOptions options, TextWriter output, ProgressBar progress, ConsoleNotifier notifier)
{
    private const string ImageId = "demo-image";
    private static readonly RequestContext Requester = new("demo-project", "demo-user");
    private readonly List<(string VolumeId, int SizeGb, CreateVolumeFromImageResult Result)> _made = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var images = services.GetRequiredService<FolderImageService>();
        var pipeline = services.GetRequiredService<CreateFromImagePipeline>();
        var cache = services.GetRequiredService<IImageVolumeCache>();

        await output.WriteLineAsync($"ImageVolumeCache sample: backend {options.Backend}, volumes in {options.VolumesDirectory}");
        ImageInfo image = await AddImageAsync(images, cancellationToken);
        await output.WriteLineAsync();

        int sizeGb = image.MinimumSizeGb;
        for (int i = 1; i <= options.Volumes; i++)
        {
            bool larger = i == options.Volumes;
            string what = i == 1 ? "first use: a miss fills a cache volume, then clones it"
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

    private async Task<ImageInfo> AddImageAsync(FolderImageService images, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        if (!string.IsNullOrWhiteSpace(options.Image))
        {
            string path = Path.GetFullPath(options.Image);
            await output.WriteLineAsync($"Image {ImageId}: {path} (raw), its sha256 computed once and kept in {images.Folder}");
            await images.AddImageFileAsync(new FolderImage(ImageId, Requester.ProjectId) { Name = Path.GetFileName(path) }, path, cancellationToken);
        }
        else
        {
            long size = (long)options.ImageSizeMb << 20;
            await output.WriteLineAsync($"Image {ImageId}: {options.ImageSizeMb} MiB of generated data, written to {images.Folder}");
            progress.Start("image", size);
            await images.AddImageAsync(
                new FolderImage(ImageId, Requester.ProjectId) { Name = $"demo ({options.ImageSizeMb} MiB)" },
                new ProgressStream(new DemoImageStream(size), progress),
                cancellationToken);
        }

        ImageInfo image = await images.GetImageAsync(Requester, ImageId, cancellationToken);
        await output.WriteLineAsync(
            $"    {image.SizeBytes >> 20} MiB, sha256 {image.Checksum![..16]}..., ready in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s");
        return image;
    }

    private async Task CreateAsync(CreateFromImagePipeline pipeline, string volumeId, int sizeGb, string what, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"- {volumeId}: {sizeGb} GB from {ImageId}; {what}");
        var volume = new VolumeSpec(volumeId, options.Backend, sizeGb) { ProjectId = Requester.ProjectId, UserId = Requester.UserId };
        CreateVolumeFromImageResult result = await pipeline.CreateAsync(new CreateVolumeFromImageRequest(Requester, volume, ImageId), cancellationToken);
        _made.Add((volumeId, sizeGb, result));

        string source = result.CacheEntry is null ? string.Empty : $", cloned from cache volume {result.CacheEntry.VolumeId}";
        await output.WriteLineAsync($"    path          {result.Path}{source}");
        await output.WriteLineAsync($"    time          {Milliseconds(result.Elapsed)}");
        await output.WriteLineAsync($"    steps         {string.Join(", ", result.Steps.Select(s => $"{s.Step} {Milliseconds(s.Duration)}"))}");
        await output.WriteLineAsync();
    }

    private async Task WriteSummaryAsync()
    {
        await output.WriteLineAsync("Summary:");
        await output.WriteLineAsync($"  {"volume",-8} {"size",6}  {"path",-18} {"time",12}");
        foreach ((string volumeId, int sizeGb, CreateVolumeFromImageResult result) in _made)
        {
            await output.WriteLineAsync($"  {volumeId,-8} {sizeGb,3} GB  {result.Path,-18} {Milliseconds(result.Elapsed),12}");
        }

        var misses = _made.Where(m => m.Result.Path is CreateFromImagePath.CacheMissCreated).Select(m => m.Result.Elapsed).ToList();
        var hits = _made.Where(m => m.Result.Path is CreateFromImagePath.CacheHit).Select(m => m.Result.Elapsed).ToList();
        if (misses.Count > 0 && hits.Count > 0)
        {
            double hitMs = hits.Average(h => h.TotalMilliseconds);
            await output.WriteLineAsync(
                $"  miss {Milliseconds(misses[0])}, hit {hitMs:N0} ms on average over {hits.Count}: hits are {misses[0].TotalMilliseconds / hitMs:F1}x faster");
        }

        await output.WriteLineAsync(
            $"  notifications: {notifier.CountOf(ImageVolumeCacheEventTypes.Hit)} hit, {notifier.CountOf(ImageVolumeCacheEventTypes.Miss)} miss, {notifier.CountOf(ImageVolumeCacheEventTypes.Evict)} evict");
    }

    /// <summary>Deletes every volume of the run, cache volumes included, through a driver's listing (unless asked to keep them).</summary>
    private async Task RemoveVolumesAsync(CancellationToken cancellationToken)
    {
        var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = options.Backend, Directory = options.VolumesDirectory });
        IReadOnlyList<BackendVolume> volumes = await driver.ListVolumesAsync(cancellationToken);
        if (options.KeepVolumes)
        {
            await output.WriteLineAsync($"  {volumes.Count} volumes kept in {options.VolumesDirectory}");
            return;
        }

        foreach (BackendVolume volume in volumes)
        {
            await driver.DeleteVolumeAsync(volume.Spec.Id, cancellationToken);
        }

        await output.WriteLineAsync($"  {volumes.Count} volumes deleted from {options.VolumesDirectory} (--keep-volumes true keeps them)");
    }

    private static string Milliseconds(TimeSpan duration) => $"{duration.TotalMilliseconds:N0} ms";
}
