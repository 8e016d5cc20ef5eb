using ImageVolumeCache.Sqlite.Diagnostics;
using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// An <see cref="ICacheEntryStore"/> on a SQLite file: entries survive restarts, and several processes of one host can
/// share the file (the unique key on (scope, image) means two processes never make two entries for one image, and its
/// fill leases, as <see cref="ICacheCoordination"/>, mean one of them fills it; its reservations and pins mean they count
/// each other's fills and never remove an entry another clones from). Each operation is one prepared statement on an open
/// connection (the release of a pin, two in one transaction): lookup-and-touch is an <c>UPDATE … RETURNING</c>, LRU
/// candidates come from an index on (scope, last_used, id), totals from a per-scope row kept by triggers.
/// </summary>
/// <remarks>
/// The file is opened, checked (<c>PRAGMA quick_check</c>) and migrated by <see cref="InitializeAsync"/>, which
/// <c>UseSqliteStore</c> runs at host start-up and every operation runs first if it has not run yet. A file that cannot be
/// opened, is not a database, is not this store's (<c>PRAGMA application_id</c> 0x49564353), is corrupt or was written
/// by a newer release fails with a <see cref="CacheEntryStoreException"/> naming the file; nothing is dropped or
/// rewritten to get past it. A row whose values cannot make an entry is quarantined (moved into
/// <c>quarantined_entries</c>) by the call that meets it, which throws a <see cref="CacheEntryStoreException"/> naming
/// the entry in <see cref="CacheEntryStoreException.QuarantinedEntryIds"/>; made again, the call succeeds without it.
/// </remarks>
public sealed partial class SqliteCacheEntryStore : ICacheEntryStore, IDisposable, IAsyncDisposable
{
    private readonly StoreConnectionPool _pool;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CacheEntryTouches? _touches;

    /// <summary>Creates a store on the file the options name; nothing is opened until first use or <see cref="InitializeAsync"/>.</summary>
    /// <param name="options">The options; validated by <c>UseSqliteStore</c> at start-up.</param>
    /// <exception cref="ArgumentException">Neither or both of the path and connection string are set, or the connection string is not valid.</exception>
    public SqliteCacheEntryStore(SqliteCacheEntryStoreOptions options)
        : this(options, logger: null, timeProvider: null)
    {
    }

    /// <summary>Creates a store on the file the options name, logging what it repairs; nothing is opened until first use or <see cref="InitializeAsync"/>.</summary>
    /// <param name="options">The options; validated by <c>UseSqliteStore</c> at start-up.</param>
    /// <param name="logger">
    /// Where the store logs the entries it quarantines (errors) and the totals it repairs (warnings); <see langword="null"/> logs nothing.
    /// </param>
    /// <param name="timeProvider">The clock that dates quarantined entries; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">Neither or both of the path and connection string are set, or the connection string is not valid.</exception>
    public SqliteCacheEntryStore(SqliteCacheEntryStoreOptions options, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var failures = new SqliteCacheEntryStoreOptionsValidator().Validate(null, options);
        if (failures.Failed)
        {
            throw new ArgumentException(failures.FailureMessage, nameof(options));
        }

        var builder = new SqliteConnectionStringBuilder(options.ConnectionString ?? string.Empty);
        if (options.DatabasePath is not null)
        {
            builder.DataSource = options.DatabasePath;
        }

        builder.Pooling = false;
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        DatabasePath = Path.GetFullPath(builder.DataSource);
        _connectionString = builder.ToString();
        _busyTimeoutMs = (int)options.BusyTimeout.TotalMilliseconds;
        _pool = new StoreConnectionPool(options.MaxConnections, OpenConnection);
        if (options.TouchWriteInterval > TimeSpan.Zero)
        {
            _touches = new CacheEntryTouches(
                options.TouchWriteInterval, _timeProvider, WriteTouchesAsync, (ex, kept) => Log.TouchesNotWritten(_logger, ex, DatabasePath, kept));
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// With <see cref="SqliteCacheEntryStoreOptions.TouchWriteInterval"/> above zero (the default), the lookup is a read and
    /// the touch is written behind; this store's reads show it at once.
    /// </remarks>
    public ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _touches is null
            ? RunAsync(
                Statement.GetAndTouch,
                (scopeKey, imageId, now.UtcTicks),
                static (p, s) =>
                {
                    p.AddWithValue("$now", s.UtcTicks);
                    p.AddWithValue("$scope", s.scopeKey);
                    p.AddWithValue("$image", s.imageId);
                },
                ReadSingle,
                cancellationToken)
            : GetAndTouchBehindAsync(_touches, scopeKey, imageId, now, cancellationToken);

    private async ValueTask<ImageCacheEntry?> GetAndTouchBehindAsync(
        CacheEntryTouches touches, string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        touches.Touch(await GetAsync(scopeKey, imageId, cancellationToken).ConfigureAwait(false), now);

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken) =>
        WithTouchAsync(RunAsync(
            Statement.Get,
            (scopeKey, imageId),
            static (p, s) =>
            {
                p.AddWithValue("$scope", s.scopeKey);
                p.AddWithValue("$image", s.imageId);
            },
            ReadSingle,
            cancellationToken));

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken) =>
        WithTouchAsync(RunAsync(Statement.FindByVolume, volumeId, static (p, volume) => p.AddWithValue("$volume", volume), ReadSingle, cancellationToken));

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The entry's volume already belongs to another entry.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The entry's size is below 1 GB.</exception>
    /// <exception cref="ArgumentException">
    /// An id of the entry (scope key, host, image, volume) is empty, or its scope key is not the scope of its host and cluster.
    /// </exception>
    public async ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entry.SizeGb, nameof(entry));
        string? problem = EntryRow.Problem(entry);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(entry));
        }

        try
        {
            return await RunAsync(Statement.Insert, entry, BindInsert, ReadSingle, cancellationToken).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex) when (ex.InnerException is SqliteException { SqliteErrorCode: SqliteConstraint })
        {
            // The (scope, image) conflict is absorbed by ON CONFLICT; what is left is the volume's unique key.
            throw new InvalidOperationException($"Volume '{entry.VolumeId}' already belongs to a cache entry.", ex.InnerException);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken)
    {
        bool removed = await RunAsync(Statement.Remove, entryId, static (p, id) => p.AddWithValue("$id", id), static reader => reader.Read(), cancellationToken)
            .ConfigureAwait(false);
        _touches?.Forget(entryId);
        return removed;
    }

    /// <inheritdoc/>
    /// <remarks>Touches held behind are written first, so that the order holds every touch made through this store.</remarks>
    public async ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        await FlushTouchesBeforeReadAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync(
            Statement.LeastRecentlyUsed,
            (scopeKey, maxCount),
            static (p, s) =>
            {
                p.AddWithValue("$scope", s.scopeKey);
                p.AddWithValue("$limit", s.maxCount);
            },
            ReadAll,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Totals that cannot be right (a negative count, a size that is not a number) are recomputed from the scope's entries.</remarks>
    public async ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken) =>
        await RunAsync(Statement.Totals, scopeKey, static (p, scope) => p.AddWithValue("$scope", scope), ReadTotals, cancellationToken).ConfigureAwait(false)
        ?? await WithConnectionAsync(scopeKey, (connection, scope) => RepairUnreadableTotals(connection.Connection, scope), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>Touches held behind are written first.</remarks>
    public async ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken)
    {
        await FlushTouchesBeforeReadAsync(cancellationToken).ConfigureAwait(false);
        return await (scopeKey is null
            ? RunAsync(Statement.ListAll, 0, static (_, _) => { }, ReadAll, cancellationToken)
            : RunAsync(Statement.ListScope, scopeKey, static (p, scope) => p.AddWithValue("$scope", scope), ReadAll, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the touches held behind (see <see cref="SqliteCacheEntryStoreOptions.TouchWriteInterval"/>) now, in one
    /// transaction; a batch that fails is kept for the next write.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when they are written.</returns>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask FlushTouchesAsync(CancellationToken cancellationToken) =>
        _touches is null ? ValueTask.CompletedTask : _touches.TryFlushAsync(cancellationToken);

    /// <summary>
    /// Writes the touches held behind before a read that orders or lists by last use; a write that fails is logged and
    /// its touches kept, and the read goes on with the times written so far (an eviction is not failed for it).
    /// </summary>
    private ValueTask FlushTouchesBeforeReadAsync(CancellationToken cancellationToken) =>
        _touches is null ? ValueTask.CompletedTask : _touches.TryFlushAsync(cancellationToken);

    /// <summary>Writes the touches held behind, then closes the store's connections. Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Writes the touches held behind (a failure is logged), then closes the store's connections.</summary>
    /// <returns>A task that completes when the store is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_touches is not null)
        {
            await _touches.DisposeAsync().ConfigureAwait(false);
        }

        _pool.Dispose();
        _initLock.Dispose();
    }

    private ValueTask WriteTouchesAsync(IReadOnlyList<CacheEntryTouch> touches, CancellationToken cancellationToken) =>
        new(InWriteTransactionAsync(
            touches,
            static (connection, transaction, batch) =>
            {
                foreach (CacheEntryTouch touch in batch)
                {
                    SqliteCommand command = connection.Command(Statement.Touch, transaction);
                    command.Parameters.AddWithValue("$id", touch.EntryId);
                    command.Parameters.AddWithValue("$used", touch.LastUsed.UtcTicks);
                    command.ExecuteNonQuery();
                }

                return true;
            },
            cancellationToken).AsTask());

    /// <summary>Lays a touch held behind over the last-used time read.</summary>
    private async ValueTask<ImageCacheEntry?> WithTouchAsync(ValueTask<ImageCacheEntry?> read)
    {
        ImageCacheEntry? entry = await read.ConfigureAwait(false);
        return _touches is null ? entry : _touches.WithPending(entry);
    }

    /// <summary>
    /// Runs one statement on a pooled connection: binds its parameters from <paramref name="state"/> and reads its rows.
    /// </summary>
    private ValueTask<T> RunAsync<TState, T>(
        Statement statement, TState state, Action<SqliteParameterCollection, TState> bind, Func<SqliteDataReader, T> read, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            (statement, state, bind, read),
            static (connection, s) =>
            {
                SqliteCommand command = connection.Command(s.statement);
                s.bind(command.Parameters, s.state);
                using SqliteDataReader reader = command.ExecuteReader();
                return s.read(reader);
            },
            cancellationToken);

    /// <summary>
    /// Runs work in one <c>BEGIN IMMEDIATE</c> transaction on a pooled connection: the file's write lock is taken before the
    /// work reads anything, so what it checks is still so when it writes, across processes too. Rolled back when it throws.
    /// </summary>
    private ValueTask<T> InWriteTransactionAsync<TState, T>(
        TState state, Func<StoreConnection, SqliteTransaction, TState, T> work, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            (state, work),
            static (connection, s) =>
            {
                using SqliteTransaction transaction = connection.Connection.BeginTransaction(deferred: false);
                T result = s.work(connection, transaction, s.state);
                transaction.Commit();
                return result;
            },
            cancellationToken);

    /// <summary>
    /// Runs work on a pooled connection. Rows the work cannot use are quarantined once it is done; that, and any database
    /// failure, becomes a <see cref="CacheEntryStoreException"/> naming the file.
    /// </summary>
    private async ValueTask<T> WithConnectionAsync<TState, T>(TState state, Func<StoreConnection, TState, T> work, CancellationToken cancellationToken)
    {
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                return work(connection, state);
            }
            catch (InvalidRowsException ex)
            {
                throw Quarantine(connection.Connection, ex.Rows);
            }
        }
        catch (SqliteException ex)
        {
            // A constraint violation leaves the connection as it was; anything else may not.
            connection.Broken = ex.SqliteErrorCode != SqliteConstraint;
            throw new CacheEntryStoreException(DatabasePath, $"The image-volume cache store '{DatabasePath}' failed: {ex.Message}", ex);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    private static void BindInsert(SqliteParameterCollection p, ImageCacheEntry entry)
    {
        p.AddWithValue("$scope", entry.ScopeKey);
        p.AddWithValue("$host", entry.Host);
        p.AddWithValue("$cluster", (object?)entry.Cluster ?? DBNull.Value);
        p.AddWithValue("$image", entry.ImageId);
        p.AddWithValue("$updated", entry.ImageUpdatedAt.UtcTicks);
        p.AddWithValue("$volume", entry.VolumeId);
        p.AddWithValue("$size", entry.SizeGb);
        p.AddWithValue("$created", entry.CreatedAt.UtcTicks);
        p.AddWithValue("$used", entry.LastUsed.UtcTicks);
    }

    private static ImageCacheEntry? ReadSingle(SqliteDataReader reader)
    {
        if (!reader.Read())
        {
            return null;
        }

        return EntryRow.TryRead(reader, out ImageCacheEntry? entry, out InvalidRow invalid) ? entry : throw new InvalidRowsException([invalid]);
    }

    private static IReadOnlyList<ImageCacheEntry> ReadAll(SqliteDataReader reader)
    {
        var entries = new List<ImageCacheEntry>();
        List<InvalidRow>? invalid = null;
        while (reader.Read())
        {
            if (EntryRow.TryRead(reader, out ImageCacheEntry? entry, out InvalidRow row))
            {
                entries.Add(entry);
            }
            else
            {
                (invalid ??= []).Add(row);
            }
        }

        return invalid is null ? entries : throw new InvalidRowsException(invalid);
    }
}
