using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// Two members of one cluster (hosts <c>host1@lvm</c> and <c>host2@lvm</c>, each configured to serve <c>cluster1@lvm</c>),
/// each registering only its own backend, over one store and one storage: as in Cinder, any member manages every entry
/// of the cluster.
/// </summary>
public sealed class ClusterMemberTests
{
    private const string Cluster = "cluster1@lvm";
    private const string HostA = "host1@lvm";
    private const string HostB = "host2@lvm";

    private InMemoryCacheEntryStore _store = null!;
    private InMemoryVolumeDriver _storage = null!;
    private InMemoryImageService _images = null!;
    private RecordingNotifier _notifier = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void ShareOneStoreAndOneStorage()
    {
        _store = new InMemoryCacheEntryStore();
        _storage = new InMemoryVolumeDriver();
        _images = new InMemoryImageService();
        _notifier = new RecordingNotifier();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Test]
    public async Task A_member_replaces_a_stale_entry_another_member_made_and_sends_one_evict()
    {
        await using ServiceProvider a = Member(HostA);
        await using ServiceProvider b = Member(HostB);
        _images.Add("img", [1, 2, 3]);
        ImageCacheEntry first = (await CreateAsync(a, HostA, "v1")).CacheEntry!;
        _images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddDays(1) });
        _notifier.Clear();

        CreateVolumeFromImageResult result = await CreateAsync(b, HostB, "v2");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(_storage.Exists(first.VolumeId), Is.False, "the stale cache volume is deleted by the other member");
        Assert.That((await _store.ListAsync(null, CancellationToken.None)).Select(e => e.VolumeId), Is.EqualTo(new[] { result.CacheEntry!.VolumeId }));
        Assert.That(_notifier.CountOf(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
    }

    [Test]
    public async Task Entries_of_another_cluster_of_the_same_backend_name_are_left_alone()
    {
        await using ServiceProvider a = Member(HostA, cluster: "cluster2@lvm");
        await using ServiceProvider b = Member(HostB);
        _images.Add("img", [1, 2, 3]);
        ImageCacheEntry other = (await CreateAsync(a, HostA, "v1", cluster: "cluster2@lvm")).CacheEntry!;
        IImageVolumeCache cacheOfB = b.GetRequiredService<IImageVolumeCache>();

        ReconciliationResult reconciled = await cacheOfB.ReconcileAsync(HostB, CancellationToken.None);
        bool evicted = await cacheOfB.EvictAsync(other, CancellationToken.None);

        Assert.That(reconciled.EntriesRemoved + reconciled.EntriesUntrusted, Is.Zero);
        Assert.That(evicted, Is.False);
        Assert.That(_storage.Exists(other.VolumeId), Is.True);
        Assert.That(await _store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_member_evicts_and_reconciles_entries_another_member_made()
    {
        await using ServiceProvider a = Member(HostA);
        await using ServiceProvider b = Member(HostB);
        _images.Add("img", [1, 2, 3]);
        _images.Add("lost", [4, 5]);
        ImageCacheEntry entry = (await CreateAsync(a, HostA, "v1")).CacheEntry!;
        ImageCacheEntry lost = (await CreateAsync(a, HostA, "v2", "lost")).CacheEntry!;
        _storage.Lose(lost.VolumeId);
        IImageVolumeCache cacheOfB = b.GetRequiredService<IImageVolumeCache>();

        ReconciliationResult reconciled = await cacheOfB.ReconcileAsync(HostB, CancellationToken.None);
        bool evicted = await cacheOfB.EvictAsync(entry, CancellationToken.None);

        Assert.That(reconciled.EntriesRemoved, Is.EqualTo(1), "the entry of the lost volume, made by the other member");
        Assert.That(evicted, Is.True);
        Assert.That(_storage.Exists(entry.VolumeId), Is.False);
        Assert.That(await _store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    private ServiceProvider Member(string backend, string cluster = Cluster)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<ICacheEntryStore>(_store);
        services.AddLogging();
        services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = "internal-project";
                o.InternalTenant.UserId = "internal-user";
                o.Backends[backend] = new BackendCacheOptions { Cluster = cluster };
            })
            .AddBackend(backend, _ => _storage)
            .UseImageService(_ => _images)
            .UseNotifier(_ => _notifier);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static ValueTask<CreateVolumeFromImageResult> CreateAsync(IServiceProvider member, string host, string volumeId, string imageId = "img", string cluster = Cluster)
    {
        var requester = new RequestContext("user-project", "user-1");
        var volume = new VolumeSpec(volumeId, host, 1) { Cluster = cluster, ProjectId = requester.ProjectId, UserId = requester.UserId };
        return member.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(requester, volume, imageId));
    }
}
