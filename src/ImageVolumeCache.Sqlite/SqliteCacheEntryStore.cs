using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// An <see cref="ICacheEntryStore"/> on a SQLite file: entries survive restarts, and several processes of one host can
/// share the file (the unique key on (scope, image) means two processes never make two entries for one image).
/// Each operation is one prepared statement on an open connection: lookup-and-touch is an <c>UPDATE … RETURNING</c>, LRU
/// candidates come from an index on (scope, last_used, id), totals from a per-scope row kept by triggers.
/// </summary>
/// <remarks>
/// The file is opened, checked (<c>PRAGMA quick_check</c>) and migrated by <see cref="InitializeAsync"/>, which
/// <c>UseSqliteStore</c> runs at host start-up and every operation runs first if it has not run yet. A file that cannot be
/// opened, is not a database, is corrupt or was written by a newer release fails with a
/// <see cref="CacheEntryStoreException"/> naming the file; nothing is dropped or rewritten to get past it.
/// </remarks>
public sealed partial class SqliteCacheEntryStore : ICacheEntryStore, IDisposable, IAsyncDisposable
{
    private readonly StoreConnectionPool _pool;

    /// <summary>Creates a store on the file the options name; nothing is opened until first use or <see cref="InitializeAsync"/>.</summary>
    /// <param name="options">The options; validated by <c>UseSqliteStore</c> at start-up.</param>
    /// <exception cref="ArgumentException">Neither or both of the path and connection string are set, or the connection string is not valid.</exception>
    public SqliteCacheEntryStore(SqliteCacheEntryStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
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
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc/>
    public async ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(Statement.GetAndTouch);
            command.Parameters.AddWithValue("$now", now.UtcTicks);
            command.Parameters.AddWithValue("$scope", scopeKey);
            command.Parameters.AddWithValue("$image", imageId);
            return ReadSingle(connection, command);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken)
    {
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(Statement.Get);
            command.Parameters.AddWithValue("$scope", scopeKey);
            command.Parameters.AddWithValue("$image", imageId);
            return ReadSingle(connection, command);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken)
    {
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(Statement.FindByVolume);
            command.Parameters.AddWithValue("$volume", volumeId);
            return ReadSingle(connection, command);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The entry's volume already belongs to another entry.</exception>
    public async ValueTask<ImageCacheEntry?> TryAddAsync(ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(Statement.Insert);
            SqliteParameterCollection p = command.Parameters;
            p.AddWithValue("$scope", entry.ScopeKey);
            p.AddWithValue("$host", entry.Host);
            p.AddWithValue("$cluster", (object?)entry.Cluster ?? DBNull.Value);
            p.AddWithValue("$image", entry.ImageId);
            p.AddWithValue("$updated", entry.ImageUpdatedAt.UtcTicks);
            p.AddWithValue("$volume", entry.VolumeId);
            p.AddWithValue("$size", entry.SizeGb);
            p.AddWithValue("$created", entry.CreatedAt.UtcTicks);
            p.AddWithValue("$used", entry.LastUsed.UtcTicks);
            try
            {
                return ReadSingle(connection, command);
            }
            catch (CacheEntryStoreException ex) when (ex.InnerException is SqliteException { SqliteErrorCode: 19 })
            {
                // The (scope, image) conflict is absorbed by ON CONFLICT; what is left is the volume's unique key.
                connection.Broken = false;
                throw new InvalidOperationException($"Volume '{entry.VolumeId}' already belongs to a cache entry.", ex.InnerException);
            }
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken)
    {
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(Statement.Remove);
            command.Parameters.AddWithValue("$id", entryId);
            return Execute(connection, command, static reader => reader.Read());
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ImageCacheEntry>> GetLeastRecentlyUsedAsync(string scopeKey, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(Statement.LeastRecentlyUsed);
            command.Parameters.AddWithValue("$scope", scopeKey);
            command.Parameters.AddWithValue("$limit", maxCount);
            return ReadAll(connection, command);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken)
    {
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(Statement.Totals);
            command.Parameters.AddWithValue("$scope", scopeKey);
            return Execute(connection, command, static reader =>
                reader.Read() ? new CacheScopeTotals(reader.GetInt32(0), reader.GetInt64(1)) : default);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken)
    {
        StoreConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteCommand command = connection.Command(scopeKey is null ? Statement.ListAll : Statement.ListScope);
            if (scopeKey is not null)
            {
                command.Parameters.AddWithValue("$scope", scopeKey);
            }

            return ReadAll(connection, command);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <summary>Closes the store's connections. Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _pool.Dispose();
        _initLock.Dispose();
    }

    /// <summary>Closes the store's connections.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private ImageCacheEntry? ReadSingle(StoreConnection connection, SqliteCommand command) =>
        Execute(connection, command, static reader => reader.Read() ? ReadEntry(reader) : null);

    private List<ImageCacheEntry> ReadAll(StoreConnection connection, SqliteCommand command) =>
        Execute(connection, command, static reader =>
        {
            var entries = new List<ImageCacheEntry>();
            while (reader.Read())
            {
                entries.Add(ReadEntry(reader));
            }

            return entries;
        });

    /// <summary>Runs a statement and reads its rows; a database failure becomes a <see cref="CacheEntryStoreException"/> naming the file.</summary>
    private T Execute<T>(StoreConnection connection, SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        try
        {
            using SqliteDataReader reader = command.ExecuteReader();
            return read(reader);
        }
        catch (SqliteException ex)
        {
            connection.Broken = true;
            throw new CacheEntryStoreException(DatabasePath, $"The image-volume cache store '{DatabasePath}' failed: {ex.Message}", ex);
        }
    }

    private static ImageCacheEntry ReadEntry(SqliteDataReader reader) => new(
        Id: reader.GetInt64(0),
        ScopeKey: reader.GetString(1),
        Host: reader.GetString(2),
        Cluster: reader.IsDBNull(3) ? null : reader.GetString(3),
        ImageId: reader.GetString(4),
        ImageUpdatedAt: new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
        VolumeId: reader.GetString(6),
        SizeGb: reader.GetInt32(7),
        CreatedAt: new DateTimeOffset(reader.GetInt64(8), TimeSpan.Zero),
        LastUsed: new DateTimeOffset(reader.GetInt64(9), TimeSpan.Zero));
}
