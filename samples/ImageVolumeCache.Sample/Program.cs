// A tour of the image-volume cache on one backend, "host1@lvm", limited to 2 cache entries (see appsettings.json).
// Volumes and images live in memory (ImageVolumeCache.Testing), so the tour needs nothing on disk and ends in seconds.
using ImageVolumeCache;
using ImageVolumeCache.Sample;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

const string Backend = "host1@lvm";
const long GiB = 1L << 30;

// appsettings.json is copied next to the program, so read it from there whatever the working directory is.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.Services.AddSingleton<InMemoryVolumeDriver>();
builder.Services.AddSingleton<InMemoryImageService>();
builder.Services.AddImageVolumeCache(builder.Configuration.GetSection("ImageVolumeCache"))
    .AddBackend(Backend, sp => sp.GetRequiredService<InMemoryVolumeDriver>())
    .UseImageService(sp => sp.GetRequiredService<InMemoryImageService>())
    .UseNotifier<ConsoleNotifier>();

using IHost host = builder.Build();
await host.StartAsync(); // validates the ImageVolumeCache options

var images = host.Services.GetRequiredService<InMemoryImageService>();
var driver = host.Services.GetRequiredService<InMemoryVolumeDriver>();
var pipeline = host.Services.GetRequiredService<CreateFromImagePipeline>();
var cache = host.Services.GetRequiredService<IImageVolumeCache>();
var notifier = (ConsoleNotifier)host.Services.GetRequiredService<IImageVolumeCacheNotifier>();

// Three public images; "ubuntu" expands to a 3 GB disk, the others fit in 1 GB.
images.Add("cirros", ImageData(64 * 1024, seed: 1));
images.Add("ubuntu", ImageData(128 * 1024, seed: 2), virtualSizeBytes: 3 * GiB);
images.Add("fedora", ImageData(96 * 1024, seed: 3));

var requester = new RequestContext("demo-project", "demo-user");
var paths = new List<CreateFromImagePath>();
int next = 0;

Console.WriteLine($"ImageVolumeCache sample: backend {Backend}, at most 2 cache entries per scope.");
Console.WriteLine();

await CreateAsync("cirros", 1, "first use of an image: a miss makes a cache entry, then clones it");
await CreateAsync("cirros", 1, "same image again: a hit, cloned from the cache volume");
await CreateAsync("cirros", 10, "a larger volume: cloned at the cached size, then extended");
await CreateAsync("ubuntu", 5, "a second image: the cache now holds its limit of 2 entries");
await CreateAsync("fedora", 2, "a third image: the least recently used entry (cirros) is evicted to make room");

images.Add("ubuntu", ImageData(128 * 1024, seed: 4), updatedAt: InMemoryImageService.DefaultUpdatedAt.AddDays(1), virtualSizeBytes: 3 * GiB);
await CreateAsync("ubuntu", 4, "ubuntu was updated: its entry is stale, so it is evicted and made again");
await CreateAsync("fedora", 2, "an encrypted volume never uses the cache", encrypted: true);

ImageCacheEntry fedora = (await cache.ListAsync(null, CancellationToken.None)).Single(e => e.ImageId == "fedora");
Console.WriteLine($"- The host deletes cache volume {Short(fedora.VolumeId)} (fedora) through its own delete path:");
await driver.DeleteVolumeAsync(fedora.VolumeId, CancellationToken.None);
bool removed = await cache.OnVolumeDeletedAsync(fedora.VolumeId, CancellationToken.None);
Console.WriteLine($"    entry removed: {removed}");
Console.WriteLine();

await CreateAsync("fedora", 2, "fedora again: a miss, and a new entry");

IReadOnlyList<ImageCacheEntry> entries = await cache.ListAsync(null, CancellationToken.None);
Console.WriteLine($"Cache entries ({entries.Count}), least recently used first:");
foreach (ImageCacheEntry entry in entries)
{
    Console.WriteLine(
        $"  scope {entry.ScopeKey}  image {entry.ImageId,-7} volume {Short(entry.VolumeId)}  {entry.SizeGb} GB  " +
        $"image updated {entry.ImageUpdatedAt:yyyy-MM-dd}  last used {entry.LastUsed:HH:mm:ss.fff}");
}

Console.WriteLine();
Console.WriteLine("Summary:");
Console.WriteLine($"  volumes made:    {paths.Count} ({string.Join(", ", paths.GroupBy(p => p).Select(g => $"{g.Count()} {g.Key}"))})");
Console.WriteLine($"  notifications:   {notifier.CountOf(ImageVolumeCacheEventTypes.Hit)} hit, {notifier.CountOf(ImageVolumeCacheEventTypes.Miss)} miss, {notifier.CountOf(ImageVolumeCacheEventTypes.Evict)} evict");
Console.WriteLine($"  image downloads: {images.DownloadCount} for {paths.Count} volumes (a hit clones a cache volume and downloads nothing)");
Console.WriteLine($"  volumes on {Backend}: {driver.Volumes.Count} ({entries.Count} of them cache volumes)");

await host.StopAsync();

async Task CreateAsync(string imageId, int sizeGb, string what, bool encrypted = false)
{
    string volumeId = $"vol-{++next}";
    Console.WriteLine($"- {volumeId}: {sizeGb} GB from {imageId}{(encrypted ? " (encrypted)" : string.Empty)}; {what}");
    var volume = new VolumeSpec(volumeId, Backend, sizeGb)
    {
        ProjectId = requester.ProjectId,
        UserId = requester.UserId,
        Encrypted = encrypted,
    };

    CreateVolumeFromImageResult result = await pipeline.CreateAsync(new CreateVolumeFromImageRequest(requester, volume, imageId));
    paths.Add(result.Path);

    string source = result.CacheEntry is null ? string.Empty : $", cloned from cache volume {Short(result.CacheEntry.VolumeId)}";
    Console.WriteLine($"    path          {result.Path}{source}, {result.Elapsed.TotalMilliseconds:F2} ms");
    Console.WriteLine($"    steps         {string.Join(", ", result.Steps.Select(s => $"{s.Step} {s.Duration.TotalMilliseconds:F2} ms"))}");
    Console.WriteLine();
}

static string Short(string volumeId) => volumeId.Length > 8 ? volumeId[..8] : volumeId;

static byte[] ImageData(int length, int seed)
{
    byte[] data = new byte[length];
    for (int i = 0; i < data.Length; i++)
    {
        data[i] = (byte)((i * 31) + seed);
    }

    return data;
}
