using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>
/// The store contract across scopes: a host's entries moved into its cluster (<see cref="ICacheEntryStore.MoveToClusterAsync"/>)
/// and an image looked up in the other pools of a backend (<see cref="ICacheEntryStore.FindInOtherPoolsAsync"/>).
/// </summary>
public abstract partial class CacheEntryStoreContractTests<TStore>
{
    /// <summary>The cluster scope that <see cref="Scope"/>'s pool joins.</summary>
    protected const string ClusterScope = "cluster1@lvm#pool-a";

    /// <summary>Another member of the cluster, whose entries are in <see cref="ClusterScope"/> already.</summary>
    private const string OtherMember = "host2@lvm#pool-a";

    /// <summary>Contract: MoveToCluster moves every entry of the scope, keeping its id, host, volume and times.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_moves_every_entry_of_the_scope_keeping_its_id_host_volume_and_times()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a", sizeGb: 2, lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        ImageCacheEntry b = await AddAsync(Scope, "image-b", sizeGb: 3, lastUsed: T0.AddMinutes(2)).ConfigureAwait(false);

        ScopeMoveResult result = await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        ImageCacheEntry[] moved = [InCluster(a), InCluster(b)];
        Assert.That(result.Moved, Is.EqualTo(moved));
        Assert.That(result.Conflicts, Is.Empty);
        Assert.That(await Store.ListAsync(ClusterScope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(moved));
        Assert.That(await Store.ListAsync(Scope, CancellationToken.None).ConfigureAwait(false), Is.Empty);
    }

    /// <summary>Contract: a moved entry is found in the cluster and by its volume, and no longer in its old scope.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_makes_an_entry_found_in_the_cluster_and_by_volume_but_not_in_its_old_scope()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);

        await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        Assert.That(await Store.GetAsync(ClusterScope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(InCluster(a)));
        Assert.That(await Store.FindByVolumeIdAsync("vol-1", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(InCluster(a)));
        Assert.That(await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.Null);
    }

    /// <summary>Contract: an entry whose image the cluster holds already stays in its scope and is returned as a conflict.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_leaves_an_entry_whose_image_the_cluster_holds_and_returns_it()
    {
        ImageCacheEntry clusters = await AddToClusterAsync(OtherMember, "image-a").ConfigureAwait(false);
        ImageCacheEntry a = await AddAsync(Scope, "image-a").ConfigureAwait(false);
        ImageCacheEntry b = await AddAsync(Scope, "image-b").ConfigureAwait(false);

        ScopeMoveResult result = await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        Assert.That(result.Moved, Is.EqualTo(new[] { InCluster(b) }));
        Assert.That(result.Conflicts, Is.EqualTo(new[] { a }));
        Assert.That(await Store.GetAsync(ClusterScope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(clusters));
        Assert.That(await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(a));
    }

    /// <summary>Contract: the totals of both scopes follow the entries moved.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_moves_the_totals_of_both_scopes()
    {
        await AddToClusterAsync(OtherMember, "image-a", sizeGb: 5).ConfigureAwait(false);
        await AddAsync(Scope, "image-a", sizeGb: 2).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", sizeGb: 3).ConfigureAwait(false);

        await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        Assert.That(await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(1, 2)));
        Assert.That(await Store.GetTotalsAsync(ClusterScope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(2, 8)));
    }

    /// <summary>Contract: moved entries take their place among the cluster's entries by last use.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_orders_moved_entries_by_last_use_among_the_clusters()
    {
        await AddToClusterAsync(OtherMember, "image-x", lastUsed: T0.AddMinutes(2)).ConfigureAwait(false);
        await AddAsync(Scope, "image-a", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(3)).ConfigureAwait(false);

        await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(ClusterScope, 10, CancellationToken.None).ConfigureAwait(false);
        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a", "image-x", "image-b" }));
    }

    /// <summary>Contract: only the entries of the scope move, not those of its backend's other pools.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_leaves_the_other_scopes_alone()
    {
        ImageCacheEntry otherPool = await AddAsync(OtherScope, "image-a").ConfigureAwait(false);
        ImageCacheEntry noPool = await AddAsync("host1@lvm", "image-a").ConfigureAwait(false);
        await AddAsync(Scope, "image-a").ConfigureAwait(false);

        await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        Assert.That(await Store.GetAsync(OtherScope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(otherPool));
        Assert.That(await Store.GetAsync("host1@lvm", "image-a", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(noPool));
    }

    /// <summary>Contract: a scope without entries moves nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_of_a_scope_without_entries_moves_nothing()
    {
        await AddAsync(OtherScope, "image-a").ConfigureAwait(false);

        ScopeMoveResult result = await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        Assert.That(result.Moved, Is.Empty);
        Assert.That(result.Conflicts, Is.Empty);
    }

    /// <summary>Contract: the old scope takes a new entry of a moved image.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_frees_the_old_scope_for_a_new_entry_of_the_image()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);
        await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        ImageCacheEntry? again = await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: "vol-2"), CancellationToken.None).ConfigureAwait(false);

        Assert.That(again?.VolumeId, Is.EqualTo("vol-2"));
    }

    /// <summary>Contract: a moved entry is touched and removed in the cluster like any of its entries.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_moved_entry_is_touched_and_removed_in_the_cluster()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a", sizeGb: 4).ConfigureAwait(false);
        await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);

        ImageCacheEntry? touched = await Store.GetAndTouchAsync(ClusterScope, "image-a", T0.AddHours(1), CancellationToken.None).ConfigureAwait(false);
        bool removed = await Store.RemoveAsync(a.Id, CancellationToken.None).ConfigureAwait(false);

        Assert.That(touched, Is.EqualTo(InCluster(a) with { LastUsed = T0.AddHours(1) }));
        Assert.That(removed, Is.True);
        Assert.That(await Store.GetTotalsAsync(ClusterScope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(0, 0)));
    }

    /// <summary>Contract: adds of the image to the cluster racing a move never leave two entries of it in the cluster.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task MoveToCluster_racing_adds_to_the_cluster_keeps_one_entry_per_key_and_loses_none()
    {
        ImageCacheEntry own = await AddAsync(Scope, "image-a", volumeId: "vol-own").ConfigureAwait(false);
        using var start = new ManualResetEventSlim();
        Task<ImageCacheEntry?>[] adds = Enumerable.Range(0, 16)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await Store.TryAddAsync(NewClusterEntry(OtherMember, "image-a", $"vol-{i}"), CancellationToken.None).ConfigureAwait(false);
            }))
            .ToArray();
        Task<ScopeMoveResult> move = Task.Run(async () =>
        {
            start.Wait();
            return await Store.MoveToClusterAsync(Scope, ClusterScope, CancellationToken.None).ConfigureAwait(false);
        });

        start.Set();
        ImageCacheEntry?[] added = await Task.WhenAll(adds).ConfigureAwait(false);
        ScopeMoveResult result = await move.ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> inCluster = await Store.ListAsync(ClusterScope, CancellationToken.None).ConfigureAwait(false);
        IReadOnlyList<ImageCacheEntry> left = await Store.ListAsync(Scope, CancellationToken.None).ConfigureAwait(false);
        Assert.That(inCluster, Has.Count.EqualTo(1));
        if (result.Moved.Count == 1)
        {
            Assert.That((inCluster[0], added.Count(a => a is not null), left.Count), Is.EqualTo((InCluster(own), 0, 0)));
        }
        else
        {
            Assert.That(result.Conflicts, Is.EqualTo(new[] { own }));
            Assert.That((inCluster[0], left), Is.EqualTo((added.Single(a => a is not null), new[] { own })));
        }
    }

    /// <summary>Contract: MoveToCluster refuses an empty key, and a move of a scope into itself.</summary>
    /// <param name="scopeKey">The scope to move.</param>
    /// <param name="cluster">The cluster to move it into.</param>
    [TestCase(Scope, "")]
    [TestCase("", ClusterScope)]
    [TestCase(ClusterScope, ClusterScope)]
    public void MoveToCluster_throws_for_an_empty_key_or_a_move_into_the_scope_itself(string scopeKey, string cluster)
    {
        Assert.ThrowsAsync(
            Is.InstanceOf<ArgumentException>(),
            async () => await Store.MoveToClusterAsync(scopeKey, cluster, CancellationToken.None).ConfigureAwait(false));
    }

    /// <summary>Contract: FindInOtherPools returns the image's entries of the backend's other scopes, by scope key.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task FindInOtherPools_returns_the_images_entries_in_the_other_pools_of_the_backend_by_scope_key()
    {
        await AddAsync(Scope, "image-a").ConfigureAwait(false);
        ImageCacheEntry c = await AddAsync("host1@lvm#pool-c", "image-a").ConfigureAwait(false);
        ImageCacheEntry b = await AddAsync(OtherScope, "image-a").ConfigureAwait(false);
        ImageCacheEntry noPool = await AddAsync("host1@lvm", "image-a").ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> found = await Store.FindInOtherPoolsAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.EqualTo(new[] { noPool, b, c }));
    }

    /// <summary>Contract: FindInOtherPools never returns another backend's entry, even one whose name starts alike, nor another image's.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task FindInOtherPools_leaves_out_other_backends_and_other_images()
    {
        foreach (string other in new[] { "host1@lvm2#pool-b", "host1@lvm-b", "host1@lvm!#pool-b", "host1@lv#pool-b", "host2@lvm#pool-b" })
        {
            await AddAsync(other, "image-a").ConfigureAwait(false);
        }

        await AddAsync(OtherScope, "image-b").ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> found = await Store.FindInOtherPoolsAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.Empty);
    }

    /// <summary>Contract: FindInOtherPools touches nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task FindInOtherPools_leaves_last_used_as_it_was()
    {
        ImageCacheEntry b = await AddAsync(OtherScope, "image-a", lastUsed: T0).ConfigureAwait(false);

        await Store.FindInOtherPoolsAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);

        Assert.That(await Store.GetAsync(OtherScope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(b));
    }

    /// <summary>Contract: from a pool of a cluster, FindInOtherPools finds the cluster's other pools, not a member's host scopes.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task FindInOtherPools_from_a_clusters_pool_finds_only_the_clusters_other_pools()
    {
        ImageCacheEntry clusters = await Store.TryAddAsync(NewClusterEntry("host2@lvm#pool-b", "image-a", "vol-cluster", cluster: "cluster1@lvm#pool-b"), CancellationToken.None).ConfigureAwait(false)
            ?? throw new AssertionException("The store refused the cluster's entry.");
        await AddAsync(OtherScope, "image-a").ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> found = await Store.FindInOtherPoolsAsync(ClusterScope, "image-a", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.EqualTo(new[] { clusters }));
    }

    /// <summary>Contract: from a scope that names no pool, FindInOtherPools finds every pool of the backend.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task FindInOtherPools_from_a_scope_without_a_pool_finds_the_backends_pools()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a").ConfigureAwait(false);
        ImageCacheEntry b = await AddAsync(OtherScope, "image-a").ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> found = await Store.FindInOtherPoolsAsync("host1@lvm", "image-a", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.EqualTo(new[] { a, b }));
    }

    /// <summary>An entry of <see cref="Scope"/> as it is once moved into <see cref="ClusterScope"/>.</summary>
    private static ImageCacheEntry InCluster(ImageCacheEntry entry) => entry with { ScopeKey = ClusterScope, Cluster = ClusterScope };

    /// <summary>An entry a member of a cluster made in the cluster's scope (by default <see cref="ClusterScope"/>).</summary>
    private static ImageCacheEntry NewClusterEntry(string host, string imageId, string volumeId, string cluster = ClusterScope, int sizeGb = 1, DateTimeOffset? lastUsed = null) =>
        NewEntry(cluster, imageId, volumeId, sizeGb, lastUsed) with { Host = host, Cluster = cluster };

    private async Task<ImageCacheEntry> AddToClusterAsync(string host, string imageId, int sizeGb = 1, DateTimeOffset? lastUsed = null)
    {
        ImageCacheEntry? stored = await Store.TryAddAsync(NewClusterEntry(host, imageId, $"vol-{host}-{imageId}", sizeGb: sizeGb, lastUsed: lastUsed), CancellationToken.None).ConfigureAwait(false);
        Assert.That(stored, Is.Not.Null, $"The store refused entry ({ClusterScope}, {imageId}).");
        return stored!;
    }
}
