using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// A host joining a cluster moves its host-scoped entries into the cluster (Cinder's <c>include_in_cluster</c>):
/// <see cref="IImageVolumeCache.IncludeInClusterAsync"/>, and the option <c>IncludeInClusterOnStart</c>.
/// </summary>
public sealed class IncludeInClusterTests
{
    private const string HostA = "host1@lvm";
    private const string HostB = "host2@lvm";
    private const string PoolA = "#pool-a";
    private const string ClusterPoolA = SharedCluster.Cluster + PoolA;

    private SharedCluster _cluster = null!;

    [SetUp]
    public void ShareOneStoreAndOneStorage()
    {
        _cluster = new SharedCluster();
        _cluster.Images.Add("img", [1, 2, 3]);
    }

    [Test]
    public async Task A_hosts_entries_included_in_its_cluster_are_hits_for_another_member()
    {
        await using ServiceProvider a = _cluster.Member(HostA);
        await using ServiceProvider b = _cluster.Member(HostB);
        ImageCacheEntry made = await HostScopedEntryAsync(a, HostA + PoolA, "v1");

        int moved = await Cache(a).IncludeInClusterAsync(HostA, CancellationToken.None);
        CreateVolumeFromImageResult result = await SharedCluster.CreateAsync(b, HostB + PoolA, "v2", cluster: ClusterPoolA);

        Assert.That(moved, Is.EqualTo(1));
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(result.CacheEntry, Is.EqualTo(made with { ScopeKey = ClusterPoolA, Cluster = ClusterPoolA, LastUsed = result.CacheEntry!.LastUsed }));
        Assert.That(_cluster.Images.DownloadCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Including_moves_the_entries_of_every_pool_of_the_backend_and_keeps_each_pool()
    {
        await using ServiceProvider a = _cluster.Member(HostA);
        await using ServiceProvider b = _cluster.Member(HostB);
        await HostScopedEntryAsync(a, HostA, "v1");
        await HostScopedEntryAsync(a, HostA + PoolA, "v2");
        await HostScopedEntryAsync(a, HostA + "#pool-b", "v3");
        await HostScopedEntryAsync(b, HostB + PoolA, "v4");

        int moved = await Cache(a).IncludeInClusterAsync(HostA, CancellationToken.None);

        IReadOnlyList<ImageCacheEntry> entries = await _cluster.Store.ListAsync(null, CancellationToken.None);
        Assert.That(moved, Is.EqualTo(3));
        Assert.That(
            entries.Select(e => (e.ScopeKey, e.Host, e.Cluster)),
            Is.EqualTo(new[]
            {
                ("cluster1@lvm", HostA, "cluster1@lvm"),
                (ClusterPoolA, HostA + PoolA, ClusterPoolA),
                ("cluster1@lvm#pool-b", HostA + "#pool-b", "cluster1@lvm#pool-b"),
                (HostB + PoolA, HostB + PoolA, null),
            }));
    }

    [Test]
    public async Task An_entry_whose_image_the_cluster_holds_is_evicted_with_one_evict()
    {
        await using ServiceProvider a = _cluster.Member(HostA);
        (ImageCacheEntry clusters, ImageCacheEntry own) = await SameImageInClusterAndHostScopeAsync(a);
        _cluster.Notifier.Clear();

        int moved = await Cache(a).IncludeInClusterAsync(HostA, CancellationToken.None);

        Assert.That(moved, Is.Zero);
        Assert.That(_cluster.Storage.Exists(own.VolumeId), Is.False, "the host's cache volume is deleted");
        Assert.That(await _cluster.Store.ListAsync(null, CancellationToken.None), Is.EqualTo(new[] { clusters }));
        Assert.That(
            _cluster.Notifier.Notifications.Select(n => (n.EventType, n.ImageId, n.Host)),
            Is.EqualTo(new[] { (ImageVolumeCacheEventTypes.Evict, "img", HostA + PoolA) }));
    }

    [Test]
    public async Task An_entry_in_use_whose_image_the_cluster_holds_stays_in_its_scope_until_a_later_call()
    {
        await using ServiceProvider a = _cluster.Member(HostA);
        (ImageCacheEntry clusters, ImageCacheEntry own) = await SameImageInClusterAndHostScopeAsync(a);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cluster.Storage.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.SourceVolumeId == own.VolumeId ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> cloning = SharedCluster.CreateAsync(a, HostA + PoolA, "cloning", cluster: null).AsTask();
        await Eventually.HappensAsync(_cluster.Storage.WaitForCallAsync(c => c.VolumeId == "cloning", CancellationToken.None), "the host's entry is being cloned");

        int movedWhileInUse = await Cache(a).IncludeInClusterAsync(HostA, CancellationToken.None);

        Assert.That(movedWhileInUse, Is.Zero);
        Assert.That(_cluster.Storage.Exists(own.VolumeId), Is.True, "an entry being cloned from is never deleted");
        Assert.That(await _cluster.Store.GetAsync(own.ScopeKey, "img", CancellationToken.None), Is.Not.Null);
        Assert.That(_cluster.Logs(1081).Single().Message, Does.Contain(own.VolumeId).And.Contain(ClusterPoolA));

        gate.SetResult();
        Assert.That((await Eventually.Within(cloning)).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        await Cache(a).IncludeInClusterAsync(HostA, CancellationToken.None);

        Assert.That(_cluster.Storage.Exists(own.VolumeId), Is.False);
        Assert.That((await _cluster.Store.ListAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EqualTo(new[] { clusters.Id }));
    }

    [Test]
    public async Task Including_a_backend_without_a_cluster_throws_naming_the_backend_and_the_key()
    {
        await using ServiceProvider a = _cluster.Member(HostA, cluster: null);

        InvalidOperationException? error = Assert.ThrowsAsync<InvalidOperationException>(async () => await Cache(a).IncludeInClusterAsync(HostA, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("'host1@lvm'").And.Contain("Backends:host1@lvm:Cluster"));
    }

    [Test]
    public async Task Including_an_unregistered_backend_throws_naming_it()
    {
        await using ServiceProvider a = _cluster.Member(HostA);

        ArgumentException? error = Assert.ThrowsAsync<ArgumentException>(async () => await Cache(a).IncludeInClusterAsync(HostB, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("'host2@lvm'"));
    }

    [Test]
    public async Task Start_up_includes_a_backend_that_asks_for_it_before_reconciling()
    {
        await using ServiceProvider a = _cluster.Member(HostA, configure: o => o.IncludeInClusterOnStart = true);
        await HostScopedEntryAsync(a, HostA + PoolA, "v1");

        await StartHostedServicesAsync(a);

        Assert.That((await _cluster.Store.ListAsync(null, CancellationToken.None)).Select(e => e.ScopeKey), Is.EqualTo(new[] { ClusterPoolA }));
        var events = _cluster.LogCollector.GetSnapshot().Select(r => r.Id.Id).Where(id => id is 1080 or 1035).ToList();
        Assert.That(events, Is.EqualTo(new[] { 1080, 1035 }), "included (1080), then reconciled (1035)");
    }

    [Test]
    public async Task Start_up_leaves_a_hosts_entries_in_its_scope_unless_asked()
    {
        await using ServiceProvider a = _cluster.Member(HostA);
        await HostScopedEntryAsync(a, HostA + PoolA, "v1");

        await StartHostedServicesAsync(a);

        Assert.That((await _cluster.Store.ListAsync(null, CancellationToken.None)).Select(e => e.ScopeKey), Is.EqualTo(new[] { HostA + PoolA }));
    }

    /// <summary>Image <c>img</c> cached in the cluster's pool-a by another member, and in host A's own pool-a by <paramref name="a"/>.</summary>
    private async Task<(ImageCacheEntry Clusters, ImageCacheEntry Own)> SameImageInClusterAndHostScopeAsync(IServiceProvider a)
    {
        await using ServiceProvider b = _cluster.Member(HostB);
        ImageCacheEntry clusters = (await SharedCluster.CreateAsync(b, HostB + PoolA, "v1", cluster: ClusterPoolA)).CacheEntry!;
        return (clusters, await HostScopedEntryAsync(a, HostA + PoolA, "v2"));
    }

    private static IImageVolumeCache Cache(IServiceProvider member) => member.GetRequiredService<IImageVolumeCache>();

    /// <summary>An entry made on a member by a request that names no cluster (the host before it joined one).</summary>
    private static async Task<ImageCacheEntry> HostScopedEntryAsync(IServiceProvider member, string host, string volumeId)
    {
        CreateVolumeFromImageResult made = await SharedCluster.CreateAsync(member, host, volumeId, cluster: null);
        Assert.That(made.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        return made.CacheEntry!;
    }

    private static async Task StartHostedServicesAsync(IServiceProvider member)
    {
        foreach (IHostedService service in member.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }
}
