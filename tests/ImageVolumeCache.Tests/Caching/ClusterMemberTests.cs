using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// Two members of one cluster (hosts <c>host1@lvm</c> and <c>host2@lvm</c>, each configured to serve <c>cluster1@lvm</c>),
/// each registering only its own backend, over one store and one storage: as in Cinder, any member manages every entry
/// of the cluster.
/// </summary>
public sealed class ClusterMemberTests
{
    private const string Cluster = SharedCluster.Cluster;
    private const string HostA = "host1@lvm";
    private const string HostB = "host2@lvm";

    private SharedCluster _cluster = null!;

    [SetUp]
    public void ShareOneStoreAndOneStorage() => _cluster = new SharedCluster();

    [Test]
    public async Task A_member_replaces_a_stale_entry_another_member_made_and_sends_one_evict()
    {
        await using ServiceProvider a = Member(HostA);
        await using ServiceProvider b = Member(HostB);
        _cluster.Images.Add("img", [1, 2, 3]);
        ImageCacheEntry first = (await CreateAsync(a, HostA, "v1")).CacheEntry!;
        _cluster.Images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddDays(1) });
        _cluster.Notifier.Clear();

        CreateVolumeFromImageResult result = await CreateAsync(b, HostB, "v2");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(_cluster.Storage.Exists(first.VolumeId), Is.True, "kept while the first member's pin on it lingers after its clone");

        // The first member gives its idle pin back a second after its clone: the last pin of the retired entry deletes its volume.
        _cluster.Time.Advance(new ImageVolumeCacheOptions().PinLinger);
        await Eventually.TrueAsync(() => !_cluster.Storage.Exists(first.VolumeId), "the stale cache volume deleted once the last pin on it was given back");
        Assert.That((await _cluster.Store.ListAsync(null, CancellationToken.None)).Select(e => e.VolumeId), Is.EqualTo(new[] { result.CacheEntry!.VolumeId }));
        Assert.That(_cluster.Notifier.CountOf(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
    }

    [Test]
    public async Task Entries_of_another_cluster_of_the_same_backend_name_are_left_alone()
    {
        await using ServiceProvider a = Member(HostA, cluster: "cluster2@lvm");
        await using ServiceProvider b = Member(HostB);
        _cluster.Images.Add("img", [1, 2, 3]);
        ImageCacheEntry other = (await CreateAsync(a, HostA, "v1", cluster: "cluster2@lvm")).CacheEntry!;
        IImageVolumeCache cacheOfB = b.GetRequiredService<IImageVolumeCache>();

        ReconciliationResult reconciled = await cacheOfB.ReconcileAsync(HostB, CancellationToken.None);
        bool evicted = await cacheOfB.EvictAsync(other, CancellationToken.None);

        Assert.That(reconciled.EntriesRemoved + reconciled.EntriesUntrusted, Is.Zero);
        Assert.That(evicted, Is.False);
        Assert.That(_cluster.Storage.Exists(other.VolumeId), Is.True);
        Assert.That(await _cluster.Store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_member_evicts_and_reconciles_entries_another_member_made()
    {
        await using ServiceProvider a = Member(HostA);
        await using ServiceProvider b = Member(HostB);
        _cluster.Images.Add("img", [1, 2, 3]);
        _cluster.Images.Add("lost", [4, 5]);
        ImageCacheEntry entry = (await CreateAsync(a, HostA, "v1")).CacheEntry!;
        ImageCacheEntry lost = (await CreateAsync(a, HostA, "v2", "lost")).CacheEntry!;
        _cluster.Storage.Lose(lost.VolumeId);
        IImageVolumeCache cacheOfB = b.GetRequiredService<IImageVolumeCache>();

        // A keeps its pins on the entries it cloned from for a second after the clones, then gives them back.
        _cluster.Time.Advance(new ImageVolumeCacheOptions().PinLinger);
        ReconciliationResult reconciled = await cacheOfB.ReconcileAsync(HostB, CancellationToken.None);
        bool evicted = await cacheOfB.EvictAsync(entry, CancellationToken.None);

        Assert.That(reconciled.EntriesRemoved, Is.EqualTo(1), "the entry of the lost volume, made by the other member");
        Assert.That(evicted, Is.True);
        Assert.That(_cluster.Storage.Exists(entry.VolumeId), Is.False);
        Assert.That(await _cluster.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    private ServiceProvider Member(string backend, string cluster = Cluster) => _cluster.Member(backend, cluster);

    private static ValueTask<CreateVolumeFromImageResult> CreateAsync(IServiceProvider member, string host, string volumeId, string imageId = "img", string cluster = Cluster) =>
        SharedCluster.CreateAsync(member, host, volumeId, imageId, cluster);
}
