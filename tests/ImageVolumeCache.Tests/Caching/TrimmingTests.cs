using ImageVolumeCache.Caching;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// The trimmer: idle expiry, images the image service deleted or changed, live limits through reloadable configuration,
/// and its own interval through the <see cref="TimeProvider"/>.
/// </summary>
public sealed class TrimmingTests
{
    [Test]
    public async Task Entries_unused_longer_than_max_idle_are_evicted_as_idle_and_the_others_stay()
    {
        using var harness = new CacheHarness(options => options.Defaults.MaxIdle = TimeSpan.FromDays(1));
        harness.AddImage("img-a");
        harness.AddImage("img-b");
        await harness.CreateAsync("img-a");
        await harness.CreateAsync("img-b");
        harness.Time.Advance(TimeSpan.FromDays(1.5));
        await harness.CreateAsync("img-b"); // used again
        harness.Time.Advance(TimeSpan.FromDays(1));

        TrimResult result = await Trim(harness);

        Assert.That(result.Idle, Is.EqualTo(1));
        Assert.That((await harness.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "img-b" }));
        Assert.That(await EvictionsAsync(harness), Is.EquivalentTo(new Dictionary<string, long> { ["idle"] = 1 }));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
    }

    [Test]
    public async Task An_idle_entry_a_clone_is_using_stays_until_the_next_trim()
    {
        using var harness = new CacheHarness(options => options.Defaults.MaxIdle = TimeSpan.FromHours(1));
        harness.AddImage("img");
        await harness.CreateAsync("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> cloning = harness.CreateAsync("img").AsTask();
        while (!harness.Driver.Calls.Any(c => c.Operation == DriverOperation.Clone && c.VolumeId != null))
        {
            await Task.Delay(5);
        }

        harness.Time.Advance(TimeSpan.FromHours(2));
        TrimResult during = await Trim(harness);
        gate.SetResult();
        await cloning;
        harness.Time.Advance(TimeSpan.FromHours(2));
        TrimResult after = await Trim(harness);

        Assert.That((during.Idle, after.Idle), Is.EqualTo((0, 1)));
        Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Entries_of_an_image_the_image_service_deleted_or_changed_are_evicted_a_batch_of_images_per_trim()
    {
        using var harness = new CacheHarness(options => options.ImageChecksPerTrim = 2);
        foreach (string image in new[] { "img-1", "img-2", "img-3" })
        {
            harness.AddImage(image);
            await harness.CreateAsync(image);
        }

        harness.Images.Remove("img-1");
        harness.Images.Remove("img-3");
        harness.Images.Update("img-2", image => image with { UpdatedAt = image.UpdatedAt.AddDays(1) });

        TrimResult first = await Trim(harness);
        TrimResult second = await Trim(harness);

        Assert.That((first.ImageDeleted, first.Stale), Is.EqualTo((1, 1)), "img-1 and img-2 were checked first");
        Assert.That((second.ImageDeleted, second.Stale), Is.EqualTo((1, 0)), "then img-3");
        Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(await EvictionsAsync(harness), Is.EquivalentTo(new Dictionary<string, long> { ["image_deleted"] = 2, ["stale"] = 1 }));
    }

    [Test]
    public async Task A_host_that_learns_an_image_was_deleted_evicts_its_entries_in_every_scope()
    {
        using var harness = new CacheHarness();
        harness.AddImage("img");
        harness.AddImage("other");
        await harness.CreateAsync("img");
        await harness.CreateAsync("img", host: CacheHarness.OtherBackend);
        await harness.CreateAsync("other");

        int evicted = await harness.Cache.OnImageDeletedAsync("img", CancellationToken.None);

        Assert.That(evicted, Is.EqualTo(2));
        Assert.That((await harness.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "other" }));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(2));
    }

    [Test]
    public async Task The_trimmer_runs_every_trim_interval_of_the_time_provider()
    {
        using var harness = new CacheHarness(options =>
        {
            options.TrimInterval = TimeSpan.FromMinutes(10);
            options.Defaults.MaxIdle = TimeSpan.FromMinutes(5);
        });
        harness.AddImage("img");
        await harness.CreateAsync("img");
        IHostedService trimmer = harness.Services.GetServices<IHostedService>().OfType<ImageVolumeCacheTrimmer>().Single();
        await trimmer.StartAsync(CancellationToken.None);
        try
        {
            harness.Time.Advance(TimeSpan.FromMinutes(9));
            await Task.Delay(200);
            Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1), "no trim before its interval");

            for (int minute = 0; minute < 30 && (await harness.Cache.ListAsync(null, CancellationToken.None)).Count > 0; minute++)
            {
                harness.Time.Advance(TimeSpan.FromMinutes(1));
                await Task.Delay(50);
            }

            Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Is.Empty, "the trim on the interval evicted the idle entry");
        }
        finally
        {
            await trimmer.StopAsync(CancellationToken.None);
        }
    }

    [TestCase("MaxCount", "1", 1)]
    [TestCase("MaxSizeGb", "2", 2)]
    public async Task A_limit_lowered_through_reloadable_configuration_trims_at_once_with_evict_notifications(string key, string value, int left)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ImageVolumeCache:InternalTenant:ProjectId"] = "cache-project",
            ["ImageVolumeCache:InternalTenant:UserId"] = "cache-user",
            ["ImageVolumeCache:TrimInterval"] = "00:00:00",
        }).Build();
        await using ReloadableHost host = await ReloadableHost.StartAsync(configuration);
        foreach (string image in new[] { "img-1", "img-2", "img-3" })
        {
            await host.CreateAsync(image);
        }

        configuration[$"ImageVolumeCache:Defaults:{key}"] = value;
        configuration.Reload();

        await host.WaitForEntriesAsync(left);
        Assert.That(host.Notifier.CountOf(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(3 - left));
    }

    [TestCase(true, 0)]
    [TestCase(false, 2)]
    public async Task Turning_a_backend_off_purges_its_entries_only_when_it_says_so(bool purge, int left)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ImageVolumeCache:InternalTenant:ProjectId"] = "cache-project",
            ["ImageVolumeCache:InternalTenant:UserId"] = "cache-user",
            [$"ImageVolumeCache:Backends:{ReloadableHost.Backend}:PurgeWhenDisabled"] = purge ? "true" : "false",
        }).Build();
        await using ReloadableHost host = await ReloadableHost.StartAsync(configuration);
        await host.CreateAsync("img-1");
        await host.CreateAsync("img-2");

        configuration[$"ImageVolumeCache:Backends:{ReloadableHost.Backend}:Enabled"] = "false";
        configuration.Reload();

        await host.WaitForEntriesAsync(left);
        await Task.Delay(200);
        Assert.That(await host.Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(left));
    }

    private static ValueTask<TrimResult> Trim(CacheHarness harness) =>
        harness.Services.GetRequiredService<DefaultImageVolumeCache>().TrimAllAsync(CancellationToken.None);

    private static async Task<IReadOnlyDictionary<string, long>> EvictionsAsync(CacheHarness harness) =>
        (await harness.Cache.GetStatisticsAsync(CancellationToken.None)).Scopes.Single().Evictions;

    /// <summary>A host over reloadable configuration, its hosted services started (the trimmer among them).</summary>
    private sealed class ReloadableHost : IAsyncDisposable
    {
        public const string Backend = "host1@mem";
        private readonly IHost _host;
        private readonly InMemoryImageService _images = new();

        private ReloadableHost(IHost host, InMemoryImageService images)
        {
            _host = host;
            _images = images;
        }

        public RecordingNotifier Notifier => (RecordingNotifier)_host.Services.GetRequiredService<IImageVolumeCacheNotifier>();

        public IImageVolumeCache Cache => _host.Services.GetRequiredService<IImageVolumeCache>();

        public static async Task<ReloadableHost> StartAsync(IConfiguration configuration)
        {
            var images = new InMemoryImageService();
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddImageVolumeCache(configuration.GetSection("ImageVolumeCache"))
                .AddBackend(Backend, _ => new InMemoryVolumeDriver())
                .UseImageService(_ => images)
                .UseNotifier(_ => new RecordingNotifier());
            IHost host = builder.Build();
            await host.StartAsync();
            return new ReloadableHost(host, images);
        }

        public async Task CreateAsync(string imageId)
        {
            _images.Add(imageId, new byte[4096]);
            var volume = new VolumeSpec("vol-" + imageId, Backend, 1) { ProjectId = "p", UserId = "u" };
            await _host.Services.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(new RequestContext("p", "u"), volume, imageId));
        }

        public async Task WaitForEntriesAsync(int count)
        {
            for (int look = 0; look < 500 && (await Cache.ListAsync(null, CancellationToken.None)).Count != count; look++)
            {
                await Task.Delay(20);
            }

            Assert.That(await Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(count));
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}
