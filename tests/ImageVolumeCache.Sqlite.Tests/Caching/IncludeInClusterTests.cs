using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Sqlite.Tests.Caching;

/// <summary>A host that joins a cluster, on a SQLite file its processes share: its entries become the cluster's.</summary>
public sealed class IncludeInClusterTests
{
    [Test]
    public async Task A_host_restarted_to_join_a_cluster_moves_its_entries_into_it_at_start_up_and_another_member_hits_them()
    {
        using var folder = new TemporaryDirectory();
        string database = folder.Combine("cache.db");
        var cluster = new SharedCluster(builder => builder.UseSqliteStore(database));
        cluster.Images.Add("img", [1, 2, 3]);
        ImageCacheEntry made;
        await using (ServiceProvider before = cluster.Member("host1@lvm", cluster: null))
        {
            made = (await SharedCluster.CreateAsync(before, "host1@lvm#pool-a", "v1", cluster: null)).CacheEntry!;
        }

        await using ServiceProvider a = cluster.Member("host1@lvm", configure: o => o.IncludeInClusterOnStart = true);
        await using ServiceProvider b = cluster.Member("host2@lvm");
        foreach (IHostedService service in a.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        CreateVolumeFromImageResult hit = await SharedCluster.CreateAsync(b, "host2@lvm#pool-a", "v2", cluster: "cluster1@lvm#pool-a");

        Assert.That(hit.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(hit.CacheEntry?.Id, Is.EqualTo(made.Id));
        Assert.That(cluster.Images.DownloadCount, Is.EqualTo(1));
        IReadOnlyList<ImageCacheEntry> entries = await b.GetRequiredService<ICacheEntryStore>().ListAsync(null, CancellationToken.None);
        Assert.That(entries.Select(e => (e.ScopeKey, e.Host, e.Cluster)), Is.EqualTo(new[] { ("cluster1@lvm#pool-a", "host1@lvm#pool-a", "cluster1@lvm#pool-a") }));
    }
}
