using ImageVolumeCache.PostgreSql.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.PostgreSql.Tests.Caching;

/// <summary>A host that joins a cluster, on the PostgreSQL database the cluster's hosts share: its entries become the cluster's.</summary>
public sealed class IncludeInClusterTests
{
    [Test]
    public async Task A_host_included_in_its_cluster_makes_its_entries_hits_for_another_member()
    {
        PostgreSqlCacheEntryStoreOptions options = PostgresServer.NewStoreOptions();
        var cluster = new SharedCluster(builder => builder.UsePostgreSqlStore(o =>
        {
            o.ConnectionString = options.ConnectionString;
            o.Schema = options.Schema;
        }));
        cluster.Images.Add("img", [1, 2, 3]);
        try
        {
            await using ServiceProvider a = cluster.Member("host1@lvm");
            await using ServiceProvider b = cluster.Member("host2@lvm");
            ImageCacheEntry made = (await SharedCluster.CreateAsync(a, "host1@lvm#pool-a", "v1", cluster: null)).CacheEntry!;

            int moved = await a.GetRequiredService<IImageVolumeCache>().IncludeInClusterAsync("host1@lvm", CancellationToken.None);
            CreateVolumeFromImageResult hit = await SharedCluster.CreateAsync(b, "host2@lvm#pool-a", "v2", cluster: "cluster1@lvm#pool-a");

            Assert.That(moved, Is.EqualTo(1));
            Assert.That(hit.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
            Assert.That(hit.CacheEntry?.Id, Is.EqualTo(made.Id));
            Assert.That(cluster.Images.DownloadCount, Is.EqualTo(1));
            IReadOnlyList<ImageCacheEntry> entries = await b.GetRequiredService<ICacheEntryStore>().ListAsync(null, CancellationToken.None);
            Assert.That(entries.Select(e => (e.ScopeKey, e.Host, e.Cluster)), Is.EqualTo(new[] { ("cluster1@lvm#pool-a", "host1@lvm#pool-a", "cluster1@lvm#pool-a") }));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(options.Schema);
        }
    }
}
