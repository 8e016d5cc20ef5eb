using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// Hosts sharing one store fill an image once: the leader of each host's single flight takes the store's fill lease;
/// the others wait and then clone what it recorded. A lease that runs out is taken over; a lost lease records nothing.
/// Two service providers over one in-memory store and one storage stand for two hosts; time is real, in milliseconds.
/// </summary>
public sealed class FillLeaseTests
{
    private const string Backend = "host1@lvm";

    private InMemoryVolumeDriver _storage = null!;
    private InMemoryImageService _images = null!;

    [SetUp]
    public void ShareOneStorage()
    {
        _storage = new InMemoryVolumeDriver();
        _images = new InMemoryImageService();
        _images.Add("img", [1, 2, 3, 4]);
    }

    [Test]
    public async Task A_host_waits_for_the_fill_another_host_holds_then_clones_its_entry()
    {
        var store = new WatchedStore();
        await using ServiceProvider a = Host(store);
        await using ServiceProvider b = Host(store);
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Refused = () => refused.TrySetResult();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _storage.Delay = async (call, ct) =>
        {
            if (call.Operation == DriverOperation.CopyImage && call.VolumeId != "vol-b")
            {
                await release.Task.WaitAsync(ct);
            }
        };
        Task<CreateVolumeFromImageResult> filling = CreateAsync(a, "vol-a").AsTask();
        await _storage.WaitForCallAsync(c => c.Operation == DriverOperation.CopyImage, CancellationToken.None);

        Task<CreateVolumeFromImageResult> waiting = CreateAsync(b, "vol-b").AsTask();
        await refused.Task.WaitAsync(TimeSpan.FromSeconds(60)); // b found the lease held and waits
        release.SetResult();
        CreateVolumeFromImageResult first = await filling;
        CreateVolumeFromImageResult second = await waiting;

        Assert.That(first.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(second.Steps.Select(s => s.Step), Does.Contain(PipelineStep.CacheFillWait));
        Assert.That(_images.DownloadCount, Is.EqualTo(1), "one download for both hosts");
        Assert.That(await store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_host_that_takes_the_lease_just_after_another_host_recorded_the_entry_clones_it_instead_of_filling_again()
    {
        var store = new WatchedStore();
        var bNotes = new RecordingNotifier();
        await using ServiceProvider a = Host(store);
        await using ServiceProvider b = Host(store, notifier: bNotes);

        // b looked up and found nothing; before its attempt at the lease reaches the store, a fills the image, records
        // the entry and releases the lease, so b's attempt succeeds.
        store.BeforeAttempt = async attempt =>
        {
            if (attempt == 1)
            {
                Assert.That((await CreateAsync(a, "vol-a")).Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
            }
        };
        CreateVolumeFromImageResult result = await CreateAsync(b, "vol-b");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(_images.DownloadCount, Is.EqualTo(1), "one download for both hosts");
        Assert.That(_storage.Volumes, Has.Count.EqualTo(3), "a's volume, b's volume and one cache volume");
        Assert.That(bNotes.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Hit }), "b's lookup sends one hit, no miss");
        Assert.That(await store.TryAcquireFillLeaseAsync(Backend, "img", "a-third-host", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), CancellationToken.None), Is.True, "b gave the lease back");
    }

    [Test]
    public async Task A_waiting_host_that_takes_the_lease_over_after_the_entry_was_recorded_clones_it_instead_of_filling_again()
    {
        var store = new WatchedStore();
        await store.TryAcquireFillLeaseAsync(Backend, "img", "a-slow-host", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), CancellationToken.None);
        var bNotes = new RecordingNotifier();
        await using ServiceProvider a = Host(store);
        await using ServiceProvider b = Host(store, notifier: bNotes);

        // b's first attempt finds the slow host's lease and b waits; it looks up again (nothing yet), and before its next
        // attempt the slow host gives the lease up and a fills the image and records the entry.
        store.BeforeAttempt = async attempt =>
        {
            if (attempt == 3)
            {
                await store.ReleaseFillLeaseAsync(Backend, "img", "a-slow-host", CancellationToken.None);
                Assert.That((await CreateAsync(a, "vol-a")).Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
            }
        };
        CreateVolumeFromImageResult result = await CreateAsync(b, "vol-b");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(result.Steps.Select(s => s.Step), Does.Contain(PipelineStep.CacheFillWait));
        Assert.That(_images.DownloadCount, Is.EqualTo(1), "one download for both hosts");
        Assert.That(bNotes.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Hit }), "b's lookup sends one hit, no miss");
        Assert.That(await store.TryAcquireFillLeaseAsync(Backend, "img", "a-third-host", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), CancellationToken.None), Is.True, "b gave the lease back");
    }

    [Test]
    public async Task An_uncontended_miss_looks_its_image_up_twice_once_before_the_fill_lease_and_once_with_it()
    {
        var store = new WatchedStore();
        await using ServiceProvider a = Host(store);

        CreateVolumeFromImageResult result = await CreateAsync(a, "vol-a");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(store.Lookups, Is.EqualTo(2), "each look-up is a round trip on a shared store");
    }

    [Test]
    public async Task The_lease_of_a_holder_that_died_runs_out_and_the_next_host_fills()
    {
        var store = new InMemoryCacheEntryStore();
        await store.TryAcquireFillLeaseAsync(Backend, "img", "a-host-that-died", DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(300), CancellationToken.None);
        await using ServiceProvider b = Host(store);

        CreateVolumeFromImageResult result = await CreateAsync(b, "vol-b");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(result.Steps.Select(s => s.Step), Does.Contain(PipelineStep.CacheFillWait));
    }

    [Test]
    public async Task A_host_that_gives_up_waiting_downloads_without_the_cache()
    {
        var store = new InMemoryCacheEntryStore();
        await store.TryAcquireFillLeaseAsync(Backend, "img", "a-slow-host", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), CancellationToken.None);
        await using ServiceProvider b = Host(store, o => o.FillLeaseWaitTimeout = TimeSpan.Zero);

        CreateVolumeFromImageResult result = await CreateAsync(b, "vol-b");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(_storage.Volumes.Select(v => v.Spec.Id), Is.EqualTo(new[] { "vol-b" }));
    }

    [Test]
    public async Task A_holder_whose_lease_was_taken_over_records_nothing_and_deletes_its_cache_volume()
    {
        var store = new WatchedStore { LoseOnRenew = true };
        await using ServiceProvider a = Host(store);

        CreateVolumeFromImageResult result = await CreateAsync(a, "vol-a");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(await store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(_storage.Volumes.Select(v => v.Spec.Id), Is.EqualTo(new[] { "vol-a" }), "the filled cache volume is deleted");
    }

    private ServiceProvider Host(ICacheEntryStore store, Action<ImageVolumeCacheOptions>? configure = null, RecordingNotifier? notifier = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddLogging();
        services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = "internal-project";
                o.InternalTenant.UserId = "internal-user";
                configure?.Invoke(o);
            })
            .AddBackend(Backend, _ => _storage)
            .UseImageService(_ => _images)
            .UseNotifier(_ => notifier ?? new RecordingNotifier());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static ValueTask<CreateVolumeFromImageResult> CreateAsync(IServiceProvider host, string volumeId)
    {
        var requester = new RequestContext("user-project", "user-1");
        var volume = new VolumeSpec(volumeId, Backend, 1) { ProjectId = requester.ProjectId, UserId = requester.UserId };
        return host.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(requester, volume, "img"));
    }
}
