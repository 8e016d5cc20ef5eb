using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Entries across scopes: a scope's entries moved into a cluster's scope (one <c>UPDATE … RETURNING</c> and the read of
/// what stayed, in one <c>BEGIN IMMEDIATE</c> transaction), and an image looked up in the other pools of a backend (one
/// range of the (image, scope) index).
/// </summary>
public sealed partial class SqliteCacheEntryStore
{
    /// <inheritdoc/>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    /// <remarks>Touches held behind are written first, so that the moved entries keep their order.</remarks>
    public async ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        if (string.Equals(scopeKey, cluster, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Scope '{scopeKey}' cannot be moved into itself.", nameof(cluster));
        }

        await FlushTouchesBeforeReadAsync(cancellationToken).ConfigureAwait(false);
        return await InWriteTransactionAsync(
            (scopeKey, cluster),
            static (connection, transaction, s) =>
            {
                SqliteCommand move = connection.Command(Statement.MoveToCluster, transaction);
                move.Parameters.AddWithValue("$scope", s.scopeKey);
                move.Parameters.AddWithValue("$cluster", s.cluster);
                IReadOnlyList<ImageCacheEntry> moved;
                using (SqliteDataReader reader = move.ExecuteReader())
                {
                    moved = ReadAll(reader);
                }

                // Under the same write lock: what is left of the scope had an image the cluster holds.
                SqliteCommand left = connection.Command(Statement.ListScope, transaction);
                left.Parameters.AddWithValue("$scope", s.scopeKey);
                using SqliteDataReader conflicts = left.ExecuteReader();
                return new ScopeMoveResult([.. moved.OrderBy(e => e.LastUsed.UtcTicks).ThenBy(e => e.Id)], ReadAll(conflicts));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scopeKey);
        return RunAsync(
            Statement.FindInOtherPools,
            (scopeKey, imageId, Backend: BackendNames.FromHost(scopeKey)),
            static (p, s) =>
            {
                p.AddWithValue("$image", s.imageId);
                p.AddWithValue("$backend", s.Backend);
                p.AddWithValue("$pools", s.Backend + "#");
                p.AddWithValue("$end", s.Backend + "$");
                p.AddWithValue("$scope", s.scopeKey);
            },
            ReadAll,
            cancellationToken);
    }
}
