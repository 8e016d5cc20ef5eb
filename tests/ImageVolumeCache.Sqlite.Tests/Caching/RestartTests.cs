using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.Sqlite.Tests.Caching;

/// <summary>
/// A host restarted on the same SQLite file: a new service provider over the same backend (an in-memory driver that
/// outlives the containers, as a real backend outlives the process) still knows the cache.
/// </summary>
public sealed class RestartTests
{
    private const string Backend = "host1@lvm";
    private FakeTimeProvider _time = null!;
    private InMemoryVolumeDriver _driver = null!;
    private InMemoryImageService _images = null!;
    private RecordingNotifier _notifier = null!;
    private TemporaryDirectory _folder = null!;

    [SetUp]
    public void CreateBackendAndFolder()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        _driver = new InMemoryVolumeDriver();
        _images = new InMemoryImageService();
        _notifier = new RecordingNotifier();
        _folder = new TemporaryDirectory();
        foreach (string image in new[] { "image-a", "image-b", "image-c" })
        {
            _images.Add(image, new byte[4096]);
        }
    }

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    public async Task After_a_restart_the_next_request_for_a_cached_image_is_a_hit()
    {
        await using (ServiceProvider before = await StartAsync())
        {
            await CreateAsync(before, "image-a");
        }

        await using ServiceProvider after = await StartAsync();
        CreateVolumeFromImageResult result = await CreateAsync(after, "image-a");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(_images.DownloadCount, Is.EqualTo(1));
    }

    [Test]
    public async Task After_a_restart_the_limits_count_the_entries_made_before()
    {
        await using (ServiceProvider before = await StartAsync(maxCount: 2))
        {
            await CreateAsync(before, "image-a");
            _time.Advance(TimeSpan.FromMinutes(1));
            await CreateAsync(before, "image-b");
        }

        await using ServiceProvider after = await StartAsync(maxCount: 2);
        _time.Advance(TimeSpan.FromMinutes(1));
        await CreateAsync(after, "image-b");
        _notifier.Clear();
        CreateVolumeFromImageResult result = await CreateAsync(after, "image-c");

        IReadOnlyList<ImageCacheEntry> entries = await after.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None);
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(entries.Select(e => e.ImageId), Is.EquivalentTo(new[] { "image-b", "image-c" }));
        Assert.That(_notifier.Notifications.Where(n => n.EventType == ImageVolumeCacheEventTypes.Evict).Select(n => n.ImageId), Is.EqualTo(new[] { "image-a" }));
    }

    [Test]
    public async Task An_entry_whose_volume_was_lost_while_the_host_was_down_is_removed_at_start_up()
    {
        string volumeId;
        await using (ServiceProvider before = await StartAsync())
        {
            volumeId = (await CreateAsync(before, "image-a")).CacheEntry!.VolumeId;
        }

        _driver.Lose(volumeId);
        await using ServiceProvider after = await StartAsync();

        Assert.That(await after.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That((await CreateAsync(after, "image-a")).Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
    }

    private async Task<ServiceProvider> StartAsync(int maxCount = 0)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = "internal-project";
                o.InternalTenant.UserId = "internal-user";
                o.Defaults.MaxCount = maxCount;
            })
            .AddBackend(Backend, _ => _driver)
            .UseImageService(_ => _images)
            .UseNotifier(_ => _notifier)
            .UseSqliteStore(_folder.Combine("cache.db"));
        ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (IHostedService service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        return provider;
    }

    private static async Task<CreateVolumeFromImageResult> CreateAsync(IServiceProvider provider, string imageId)
    {
        var requester = new RequestContext("user-project", "user-1");
        var volume = new VolumeSpec("vol-" + Guid.NewGuid().ToString("N")[..8], Backend, 1) { ProjectId = requester.ProjectId, UserId = requester.UserId };
        return await provider.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(requester, volume, imageId), CancellationToken.None);
    }
}
