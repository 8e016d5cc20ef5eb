using System.Text.Json.Nodes;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Cli.Tests;

/// <summary>
/// A host of the cache in the test's process, on real parts in a folder of its own: a file-system backend
/// (<c>volumes/</c>), a folder image service (<c>images/</c>) and a SQLite store (<c>cache.db</c>), with the
/// <c>appsettings.json</c> an operator points ivc at. The tests fill the cache through it and then run ivc in the folder.
/// </summary>
internal sealed class CachedHost : IAsyncDisposable
{
    public const string Backend = "host1@fs";

    private readonly TemporaryDirectory _folder = new();
    private ServiceProvider? _services;

    public string Folder => _folder.Path;

    public string Volumes => Path.Combine(Folder, "volumes");

    public string Images => Path.Combine(Folder, "images");

    public string Database => Path.Combine(Folder, "cache.db");

    public IImageVolumeCache Cache => Services.GetRequiredService<IImageVolumeCache>();

    private ServiceProvider Services => _services ?? throw new InvalidOperationException("Start the host first.");

    /// <summary>Makes the folders, writes <c>appsettings.json</c> (the cache section with <paramref name="maxCount"/>, and the tool section) and starts the host.</summary>
    /// <remarks>
    /// The host gives each pin back with its clone (<c>PinLinger</c> 0), so that the tool finds the entries not in use the
    /// moment a test runs it; <paramref name="pinLinger"/> sets another linger.
    /// </remarks>
    public static async Task<CachedHost> StartAsync(int maxCount = 0, TimeSpan? pinLinger = null)
    {
        var host = new CachedHost();
        Directory.CreateDirectory(host.Volumes);
        Directory.CreateDirectory(host.Images);
        await host.WriteSettingsAsync(maxCount);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = "cache-project";
                o.InternalTenant.UserId = "cache-user";
                o.Defaults.MaxCount = maxCount;
                o.PinLinger = pinLinger ?? TimeSpan.Zero;
            })
            .AddFileSystemBackend(Backend, host.Volumes)
            .UseFolderImageService(host.Images)
            .UseSqliteStore(host.Database);
        host._services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (IHostedService service in host._services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        return host;
    }

    /// <summary>Starts the host and makes one user volume (<c>vol-1</c>, <c>vol-2</c>…) from each image in turn, so each image has an entry.</summary>
    public static async Task<CachedHost> StartWithEntriesAsync(int maxCount, params string[] imageIds)
    {
        CachedHost host = await StartAsync(maxCount);
        for (int i = 0; i < imageIds.Length; i++)
        {
            await host.AddImageAsync(imageIds[i]);
            await host.CreateAsync($"vol-{i + 1}", imageIds[i]);
        }

        return host;
    }

    /// <summary>The host's configuration file, as its operator has it: the cache's section and the tool's.</summary>
    public Task WriteSettingsAsync(int maxCount, Action<JsonObject>? change = null)
    {
        var settings = new JsonObject
        {
            ["ImageVolumeCache"] = new JsonObject
            {
                ["InternalTenant"] = new JsonObject { ["ProjectId"] = "cache-project", ["UserId"] = "cache-user" },
                ["Defaults"] = new JsonObject { ["MaxCount"] = maxCount },
            },
            ["ImageVolumeCacheTool"] = new JsonObject
            {
                ["Store"] = new JsonObject { ["Sqlite"] = "cache.db" },
                ["FileSystemBackends"] = new JsonObject { [Backend] = "volumes" },
                ["ImageFolder"] = "images",
            },
        };
        change?.Invoke(settings);
        return File.WriteAllTextAsync(Path.Combine(Folder, "appsettings.json"), settings.ToJsonString());
    }

    public async Task AddImageAsync(string imageId, int kib = 64)
    {
        byte[] data = new byte[kib << 10];
        new Random(imageId.GetHashCode(StringComparison.Ordinal)).NextBytes(data);
        await new FolderImageService(Images).AddImageAsync(new FolderImage(imageId, "owner-project"), new MemoryStream(data), CancellationToken.None);
    }

    /// <summary>Makes a user's volume from an image, as a request does; the first for an image is a miss that fills the cache.</summary>
    public async Task<CreateVolumeFromImageResult> CreateAsync(string volumeId, string imageId)
    {
        var requester = new RequestContext("user-project", "user-1");
        var volume = new VolumeSpec(volumeId, Backend, 1) { ProjectId = requester.ProjectId, UserId = requester.UserId };
        return await Services.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(requester, volume, imageId), CancellationToken.None);
    }

    /// <summary>Pins an entry in the store, as a clone from it in another process does, for ten minutes.</summary>
    public async Task PinAsync(ImageCacheEntry entry)
    {
        var coordination = (ICacheCoordination)Services.GetRequiredService<ICacheEntryStore>();
        bool pinned = await coordination.TryPinEntryAsync(entry.Id, "a-clone-elsewhere", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10), CancellationToken.None);
        Assert.That(pinned, Is.True, $"entry {entry.Id} pinned");
    }

    public Task<IvcResult> IvcAsync(params string[] args) => IvcProcess.RunAsync(Folder, args);

    /// <summary>Writes the touches of last use the host's store holds behind now, as it does by itself within a second.</summary>
    public async Task WriteTouchesAsync() =>
        await ((SqliteCacheEntryStore)Services.GetRequiredService<ICacheEntryStore>()).FlushTouchesAsync(CancellationToken.None);

    /// <summary>Stops the host (its cache gives back the pins it keeps), leaving its folder for the tool.</summary>
    public async Task DisposeServicesAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
            _services = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeServicesAsync();
        _folder.Dispose();
    }
}
