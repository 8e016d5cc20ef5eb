using ImageVolumeCache.Caching;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// Pre-warming: <see cref="IImageVolumeCache.WarmAsync"/> through the fill protocol, the warmer's start-up warm and its
/// polls that roll an updated image over, outdated warm images, and idle expiry sparing warm images.
/// </summary>
public sealed class WarmingTests
{
    private static readonly DateTimeOffset Later = InMemoryImageService.DefaultUpdatedAt.AddDays(1);

    [Test]
    public async Task Warming_an_image_fills_one_entry_sends_one_miss_and_the_next_request_is_a_hit()
    {
        using var harness = new CacheHarness();
        harness.AddImage("img");

        IReadOnlyList<ImageWarmResult> results = await harness.Cache.WarmAsync(CacheHarness.Backend, ["img"], CancellationToken.None);
        CreateVolumeFromImageResult request = await harness.CreateAsync("img");

        Assert.That(results, Is.EqualTo(new[] { new ImageWarmResult("img", ImageWarmOutcome.Filled) }));
        Assert.That(request.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That((harness.Notifications(ImageVolumeCacheEventTypes.Miss), harness.Notifications(ImageVolumeCacheEventTypes.Hit)), Is.EqualTo((1, 1)));
        Assert.That(harness.Driver.Calls.Count(c => c.Operation == DriverOperation.Clone), Is.EqualTo(1), "the warm cloned nothing");
    }

    [Test]
    public async Task Warming_a_cached_image_does_nothing_and_sends_nothing()
    {
        using var harness = new CacheHarness();
        harness.AddImage("img");
        await harness.Cache.WarmAsync(CacheHarness.Backend, ["img"], CancellationToken.None);
        harness.Notifier.Clear();

        IReadOnlyList<ImageWarmResult> results = await harness.Cache.WarmAsync(CacheHarness.Backend, ["img"], CancellationToken.None);

        Assert.That(results.Single().Outcome, Is.EqualTo(ImageWarmOutcome.AlreadyCached));
        Assert.That(harness.Notifier.Notifications, Is.Empty);
        Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_request_during_a_warm_joins_its_fill()
    {
        using var harness = new CacheHarness();
        harness.AddImage("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Create ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<IReadOnlyList<ImageWarmResult>> warming = harness.Cache.WarmAsync(CacheHarness.Backend, ["img"], CancellationToken.None).AsTask();
        while (!harness.Driver.Calls.Any(c => c.Operation == DriverOperation.Create))
        {
            await Task.Delay(5);
        }

        Task<CreateVolumeFromImageResult> request = harness.CreateAsync("img").AsTask();
        await Task.Delay(50);
        gate.SetResult();

        Assert.That((await warming).Single().Outcome, Is.EqualTo(ImageWarmOutcome.Filled));
        Assert.That((await request).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(harness.Images.DownloadCount, Is.EqualTo(1));
        Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Warming_reports_an_image_without_room_as_not_cached_and_a_missing_one_as_failed()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxSizeGb = 1);
        harness.AddImage("big", virtualSizeBytes: 2 * CacheHarness.GiB);

        IReadOnlyList<ImageWarmResult> results = await harness.Cache.WarmAsync(CacheHarness.Backend, ["big", "gone"], CancellationToken.None);

        Assert.That(results.Select(r => r.Outcome), Is.EqualTo(new[] { ImageWarmOutcome.NotCached, ImageWarmOutcome.Failed }));
        Assert.That(results[1].Error, Is.InstanceOf<ImageNotFoundException>());
        Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.EqualTo(1));
    }

    [Test]
    public async Task The_warmer_warms_the_configured_images_at_start_up()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.Backend] = Warm("img"));
        harness.AddImage("img");

        await WhileWarmerRunsAsync(harness, () => UntilAsync(async () => (await harness.Cache.ListAsync(null, CancellationToken.None)).Count == 1));

        Assert.That((await harness.Cache.ListAsync(null, CancellationToken.None)).Single().ImageId, Is.EqualTo("img"));
        Assert.That((await harness.CreateAsync("img")).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
    }

    [Test]
    public async Task A_poll_rolls_an_updated_image_over_and_the_next_request_is_a_hit()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.Backend] = Warm("img"));
        harness.AddImage("img");

        await WhileWarmerRunsAsync(harness, async () =>
        {
            await UntilAsync(async () => (await harness.Cache.ListAsync(null, CancellationToken.None)).Count == 1);
            harness.Images.Update("img", image => image with { UpdatedAt = Later });
            await UntilAsync(async () => (await harness.Cache.ListAsync(null, CancellationToken.None)).SingleOrDefault()?.ImageUpdatedAt == Later, advance: true, harness);
        });

        harness.Notifier.Clear();
        Assert.That((await harness.CreateAsync("img")).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.Zero);
    }

    [Test]
    public async Task A_rollover_retires_the_old_entry_only_after_its_last_clone()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.Backend] = Warm("img"));
        harness.AddImage("img");
        await harness.Cache.WarmAsync(CacheHarness.Backend, ["img"], CancellationToken.None);
        string oldVolume = (await harness.Cache.ListAsync(null, CancellationToken.None)).Single().VolumeId;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> cloning = harness.CreateAsync("img").AsTask();
        while (!harness.Driver.Calls.Any(c => c.Operation == DriverOperation.Clone))
        {
            await Task.Delay(5);
        }

        harness.Images.Update("img", image => image with { UpdatedAt = Later });
        await Warmer(harness).WarmEveryBackendAsync(CancellationToken.None);
        bool oldVolumeDuringClone = harness.Driver.Exists(oldVolume);
        gate.SetResult();
        await cloning;

        Assert.That(oldVolumeDuringClone, Is.True, "the clone still used the old entry");
        Assert.That(harness.Driver.Exists(oldVolume), Is.False, "the old entry was retired after its last clone");
        Assert.That((await harness.Cache.ListAsync(null, CancellationToken.None)).Single().ImageUpdatedAt, Is.EqualTo(Later));
    }

    [Test]
    public async Task A_warm_image_that_cannot_be_refreshed_is_reported_outdated_until_it_is()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.Backend] = Warm("img"));
        harness.AddImage("img");
        ImageVolumeCacheWarmer warmer = Warmer(harness);
        harness.Images.Fault = (operation, _) => operation == "GetImage" ? new HttpRequestException("image service down") : null;

        await warmer.WarmEveryBackendAsync(CancellationToken.None);
        CacheScopeStatistics during = (await harness.Cache.GetStatisticsAsync(CancellationToken.None)).Scopes.Single(s => s.Backend == CacheHarness.Backend);
        harness.Images.Fault = null;
        await warmer.WarmEveryBackendAsync(CancellationToken.None);
        CacheScopeStatistics after = (await harness.Cache.GetStatisticsAsync(CancellationToken.None)).Scopes.Single(s => s.Backend == CacheHarness.Backend);

        Assert.That(during.OutdatedWarmImages, Is.EqualTo(new[] { "img" }));
        Assert.That(after.OutdatedWarmImages, Is.Empty);
        Assert.That(harness.Logs(1112), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Idle_expiry_leaves_a_warm_images_entry_alone()
    {
        using var harness = new CacheHarness(o =>
        {
            o.Defaults.MaxIdle = TimeSpan.FromHours(1);
            o.Backends[CacheHarness.Backend] = Warm("warm");
        });
        harness.AddImage("warm");
        harness.AddImage("cold");
        await harness.Cache.WarmAsync(CacheHarness.Backend, ["warm", "cold"], CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromHours(2));

        TrimResult result = await harness.Services.GetRequiredService<DefaultImageVolumeCache>().TrimAllAsync(CancellationToken.None);

        Assert.That(result.Idle, Is.EqualTo(1));
        Assert.That((await harness.Cache.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EqualTo(new[] { "warm" }));
    }

    private static BackendCacheOptions Warm(params string[] imageIds)
    {
        var options = new BackendCacheOptions();
        foreach (string id in imageIds)
        {
            options.WarmImages.Add(id);
        }

        return options;
    }

    private static ImageVolumeCacheWarmer Warmer(CacheHarness harness) =>
        harness.Services.GetServices<IHostedService>().OfType<ImageVolumeCacheWarmer>().Single();

    private static async Task WhileWarmerRunsAsync(CacheHarness harness, Func<Task> body)
    {
        IHostedService warmer = Warmer(harness);
        await warmer.StartAsync(CancellationToken.None);
        try
        {
            await body();
        }
        finally
        {
            await warmer.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits for the hosted service to get there; with <paramref name="advance"/>, moves fake time a minute at a time.</summary>
    private static async Task UntilAsync(Func<Task<bool>> done, bool advance = false, CacheHarness? harness = null)
    {
        for (int attempt = 0; attempt < 200 && !await done(); attempt++)
        {
            if (advance)
            {
                harness!.Time.Advance(TimeSpan.FromMinutes(1));
            }

            await Task.Delay(25);
        }

        Assert.That(await done(), Is.True, "the warmer did not get there in time");
    }
}
