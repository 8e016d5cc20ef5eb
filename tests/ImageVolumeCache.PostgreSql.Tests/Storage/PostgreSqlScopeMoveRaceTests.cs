using ImageVolumeCache.PostgreSql.Tests.Support;
using Npgsql;
using static ImageVolumeCache.PostgreSql.Tests.Support.StoreEntries;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>
/// A move of a host's entries into its cluster that meets another host's insert of one of its images into the cluster,
/// committed after the move's statement began: the unique key refuses the move, which is made again and leaves that image.
/// </summary>
public sealed class PostgreSqlScopeMoveRaceTests
{
    private const string Cluster = "cluster1@lvm";

    [Test]
    public async Task A_move_that_meets_an_entry_another_host_commits_meanwhile_leaves_that_image_and_moves_the_rest()
    {
        PostgreSqlCacheEntryStoreOptions options = PostgresServer.NewStoreOptions();
        await using var store = new PostgreSqlCacheEntryStore(options);
        try
        {
            ImageCacheEntry a = (await store.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None))!;
            ImageCacheEntry b = (await store.TryAddAsync(Entry("image-b", "volume-b"), CancellationToken.None))!;
            await using var otherHost = new NpgsqlConnection(options.ConnectionString);
            await otherHost.OpenAsync();
            await using NpgsqlTransaction adding = await otherHost.BeginTransactionAsync();
            await using (var insert = new NpgsqlCommand(
                $"INSERT INTO {options.Schema}.cache_entries (scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used) "
                + $"VALUES ('{Cluster}', 'host2@lvm', '{Cluster}', 'image-a', {T0.UtcTicks}, 'volume-other', 1, {T0.UtcTicks}, {T0.UtcTicks})",
                otherHost,
                adding))
            {
                await insert.ExecuteNonQueryAsync();
            }

            Task<ScopeMoveResult> move = store.MoveToClusterAsync(Scope, Cluster, CancellationToken.None).AsTask();
            await Eventually.HappensAsync(BlockedOnAsync(otherHost.ProcessID), "the move waits for the other host's insert");
            await adding.CommitAsync();
            ScopeMoveResult result = await Eventually.Within(move);

            Assert.That(result.Moved, Is.EqualTo(new[] { b with { ScopeKey = Cluster, Cluster = Cluster } }));
            Assert.That(result.Conflicts, Is.EqualTo(new[] { a }));
            Assert.That((await store.GetAsync(Cluster, "image-a", CancellationToken.None))?.VolumeId, Is.EqualTo("volume-other"));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(options.Schema);
        }
    }

    /// <summary>Completes once a session of the server waits for a lock that the session <paramref name="blocker"/> holds.</summary>
    private static async Task BlockedOnAsync(int blocker)
    {
        while (!Equals(await PostgresServer.QueryAsync($"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE {blocker} = ANY (pg_blocking_pids(pid)))"), true))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }
}
