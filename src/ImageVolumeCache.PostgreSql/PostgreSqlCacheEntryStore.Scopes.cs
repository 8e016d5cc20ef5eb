using ImageVolumeCache.PostgreSql.Internal;
using Npgsql;

namespace ImageVolumeCache.PostgreSql;

/// <summary>
/// Entries across scopes: a scope's entries moved into a cluster's scope (one statement, an <c>UPDATE</c> that returns
/// what it moved beside what it left), and an image looked up in the other pools of a backend (one range of the (image,
/// scope) index).
/// </summary>
public sealed partial class PostgreSqlCacheEntryStore
{
    /// <summary>How many times a move is made when other hosts keep adding the scope's images to the cluster meanwhile.</summary>
    private const int MoveAttempts = 5;

    /// <inheritdoc/>
    /// <exception cref="CacheEntryStoreException">The server cannot be used.</exception>
    public async ValueTask<ScopeMoveResult> MoveToClusterAsync(string scopeKey, string cluster, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        if (string.Equals(scopeKey, cluster, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Scope '{scopeKey}' cannot be moved into itself.", nameof(cluster));
        }

        // Touches held behind are written first, so that the moved entries keep their order.
        await FlushTouchesBeforeReadAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await RunAsync(
                    _sql.MoveToCluster,
                    (scopeKey, cluster),
                    static (p, s) =>
                    {
                        p.Add(new NpgsqlParameter<string> { TypedValue = s.scopeKey });
                        p.Add(new NpgsqlParameter<string> { TypedValue = s.cluster });
                    },
                    ReadMoveAsync,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (CacheEntryStoreException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && attempt < MoveAttempts)
            {
                // Another host added one of the scope's images to the cluster after the statement began: nothing was moved,
                // and the next attempt sees that entry and leaves the scope's one in place.
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="CacheEntryStoreException">The server cannot be used.</exception>
    public ValueTask<IReadOnlyList<ImageCacheEntry>> FindInOtherPoolsAsync(string scopeKey, string imageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scopeKey);
        return RunAsync(
            _sql.FindInOtherPools,
            (scopeKey, imageId, Backend: BackendNames.FromHost(scopeKey)),
            static (p, s) =>
            {
                p.Add(new NpgsqlParameter<string> { TypedValue = s.imageId });
                p.Add(new NpgsqlParameter<string> { TypedValue = s.Backend });
                p.Add(new NpgsqlParameter<string> { TypedValue = s.Backend + "$" });
                p.Add(new NpgsqlParameter<string> { TypedValue = s.Backend + "#" });
                p.Add(new NpgsqlParameter<string> { TypedValue = s.scopeKey });
            },
            ReadAllAsync,
            cancellationToken);
    }

    /// <summary>Reads the rows of a move, each flagged (its 11th column) as moved or left.</summary>
    private static async ValueTask<ScopeMoveResult> ReadMoveAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var moved = new List<ImageCacheEntry>();
        var conflicts = new List<ImageCacheEntry>();
        List<InvalidRow>? invalid = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (EntryRow.TryRead(reader, out ImageCacheEntry? entry, out InvalidRow row))
            {
                (reader.GetBoolean(10) ? moved : conflicts).Add(entry);
            }
            else
            {
                (invalid ??= []).Add(row);
            }
        }

        return invalid is null ? new ScopeMoveResult(moved, conflicts) : throw new InvalidRowsException(invalid);
    }
}
