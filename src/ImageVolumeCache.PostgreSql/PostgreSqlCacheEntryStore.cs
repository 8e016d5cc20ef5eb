using System.Runtime.CompilerServices;
using ImageVolumeCache.PostgreSql.Diagnostics;
using ImageVolumeCache.PostgreSql.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace ImageVolumeCache.PostgreSql;

/// <summary>
/// An <see cref="ICacheEntryStore"/> on a PostgreSQL database, shared by the hosts of a cluster: the unique key on
/// (scope, image) means two hosts never make two entries for one image, and its fill leases, as
/// <see cref="ICacheCoordination"/>, mean one of them fills it. Each entry operation is one statement, so one round
/// trip, through one <see cref="NpgsqlDataSource"/> (Npgsql's pool): lookup-and-touch is an <c>UPDATE … RETURNING</c>,
/// LRU candidates come from an index on (scope, last_used, id), totals from a per-scope row kept by a trigger. Pins,
/// removals and retirements take a short transaction on the entry's advisory lock (see <c>PostgreSqlCacheEntryStore.Pins.cs</c>).
/// </summary>
/// <remarks>
/// The schema is made or migrated by <see cref="InitializeAsync"/>, which <c>UsePostgreSqlStore</c> runs at host
/// start-up and every operation runs first if it has not run yet; hosts starting together migrate once. A server that
/// cannot be reached, or a failing statement, is a <see cref="CacheEntryStoreException"/> naming the server, the
/// database and the schema (never the password). A row whose values cannot make an entry is quarantined (moved into
/// <c>quarantined_entries</c>) by the call that meets it, which throws a <see cref="CacheEntryStoreException"/> naming the
/// entry in <see cref="CacheEntryStoreException.QuarantinedEntryIds"/>; made again, the call succeeds without it.
/// </remarks>
public sealed partial class PostgreSqlCacheEntryStore : ICacheEntryStore, IDisposable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreSql _sql;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CacheEntryTouches? _touches;

    /// <summary>Creates a store on the database the options name; nothing is opened until first use or <see cref="InitializeAsync"/>.</summary>
    /// <param name="options">The options; validated by <c>UsePostgreSqlStore</c> at start-up.</param>
    /// <exception cref="ArgumentException">The connection string is missing or not valid, or the schema name cannot be used.</exception>
    public PostgreSqlCacheEntryStore(PostgreSqlCacheEntryStoreOptions options)
        : this(options, logger: null, timeProvider: null)
    {
    }

    /// <summary>Creates a store on the database the options name, logging migrations and repairs; nothing is opened until first use or <see cref="InitializeAsync"/>.</summary>
    /// <param name="options">The options; validated by <c>UsePostgreSqlStore</c> at start-up.</param>
    /// <param name="logger">
    /// Where the store logs the entries it quarantines (errors), the totals it repairs (warnings) and its migrations;
    /// <see langword="null"/> logs nothing.
    /// </param>
    /// <param name="timeProvider">The clock that dates quarantined entries; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The connection string is missing or not valid, or the schema name cannot be used.</exception>
    public PostgreSqlCacheEntryStore(PostgreSqlCacheEntryStoreOptions options, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var failures = new PostgreSqlCacheEntryStoreOptionsValidator().Validate(null, options);
        if (failures.Failed)
        {
            throw new ArgumentException(failures.FailureMessage, nameof(options));
        }

        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        NpgsqlConnectionStringBuilder settings = builder.ConnectionStringBuilder;
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = "ImageVolumeCache";
        }

        // Each operation is a handful of fixed statements: prepared on each connection once they are used, they skip the
        // server's parse and plan on every later call. A connection string that sets Max Auto Prepare keeps its value.
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 32;
        }

        // The store changes no session state (no SET, no temporary table, no session-level lock: its advisory locks are
        // the transaction's), so a connection back in the pool needs no reset; without one, each call saves the reset
        // commands the server would otherwise run first. A connection string that asks for resets keeps them.
        if (!builder.ConnectionStringBuilder.ContainsKey("No Reset On Close"))
        {
            settings.NoResetOnClose = true;
        }

        Schema = options.Schema;
        _quotedSchema = PostgreSqlSchema.Quote(Schema);
        _entryLockSpace = PostgreSqlSchema.EntryLockSpace(Schema);
        _sql = new StoreSql(_quotedSchema);
        Location = $"postgresql://{settings.Host}:{settings.Port}/{settings.Database ?? settings.Username} (schema {Schema})";
        _dataSource = builder.Build();
        if (options.TouchWriteInterval > TimeSpan.Zero)
        {
            _touches = new CacheEntryTouches(
                options.TouchWriteInterval, _timeProvider, WriteTouchesAsync, (ex, kept) => Log.TouchesNotWritten(_logger, ex, Location, kept));
        }
    }

    /// <summary>The schema that holds the store's tables.</summary>
    public string Schema { get; }

    /// <summary>
    /// The server, database and schema as errors name them: <c>postgresql://host:port/database (schema name)</c>. Never
    /// holds the user name or the password.
    /// </summary>
    public string Location { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// With <see cref="PostgreSqlCacheEntryStoreOptions.TouchWriteInterval"/> above zero (the default), the lookup is a read
    /// and the touch is written behind; this store's reads show it at once.
    /// </remarks>
    public ValueTask<ImageCacheEntry?> GetAndTouchAsync(string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _touches is null
            ? RunAsync(
                _sql.GetAndTouch,
                (scopeKey, imageId, now.UtcTicks),
                static (p, s) =>
                {
                    p.Add(new NpgsqlParameter<long> { TypedValue = s.UtcTicks });
                    p.Add(new NpgsqlParameter<string> { TypedValue = s.scopeKey });
                    p.Add(new NpgsqlParameter<string> { TypedValue = s.imageId });
                },
                ReadSingleAsync,
                cancellationToken)
            : GetAndTouchBehindAsync(_touches, scopeKey, imageId, now, cancellationToken);

    private async ValueTask<ImageCacheEntry?> GetAndTouchBehindAsync(
        CacheEntryTouches touches, string scopeKey, string imageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        touches.Touch(await GetAsync(scopeKey, imageId, cancellationToken).ConfigureAwait(false), now);

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> GetAsync(string scopeKey, string imageId, CancellationToken cancellationToken) =>
        WithTouchAsync(RunAsync(
            _sql.Get,
            (scopeKey, imageId),
            static (p, s) =>
            {
                p.Add(new NpgsqlParameter<string> { TypedValue = s.scopeKey });
                p.Add(new NpgsqlParameter<string> { TypedValue = s.imageId });
            },
            ReadSingleAsync,
            cancellationToken));

    /// <inheritdoc/>
    public ValueTask<ImageCacheEntry?> FindByVolumeIdAsync(string volumeId, CancellationToken cancellationToken) =>
        WithTouchAsync(RunAsync(_sql.FindByVolume, volumeId, static (p, volume) => p.Add(new NpgsqlParameter<string> { TypedValue = volume }), ReadSingleAsync, cancellationToken));

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
            return await RunAsync(_sql.Insert, entry, BindInsert, ReadSingleAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The (scope, image) conflict is absorbed by ON CONFLICT; what is left is the volume's unique key.
            throw new InvalidOperationException($"Volume '{entry.VolumeId}' already belongs to a cache entry.", ex.InnerException);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> RemoveAsync(long entryId, CancellationToken cancellationToken)
    {
        bool removed = await RunNonQueryAsync(_sql.Remove, entryId, static (p, id) => p.Add(new NpgsqlParameter<long> { TypedValue = id }), cancellationToken)
            .ConfigureAwait(false) == 1;
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
            _sql.LeastRecentlyUsed,
            (scopeKey, maxCount),
            static (p, s) =>
            {
                p.Add(new NpgsqlParameter<string> { TypedValue = s.scopeKey });
                p.Add(new NpgsqlParameter<long> { TypedValue = s.maxCount });
            },
            ReadAllAsync,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Totals that cannot be right (a negative count or size, a count beyond <see cref="int"/>) are recomputed from the scope's entries.</remarks>
    public async ValueTask<CacheScopeTotals> GetTotalsAsync(string scopeKey, CancellationToken cancellationToken)
    {
        (long Count, long SizeGb) stored = await RunAsync(
            _sql.Totals,
            scopeKey,
            static (p, scope) => p.Add(new NpgsqlParameter<string> { TypedValue = scope }),
            ReadTotalsAsync,
            cancellationToken).ConfigureAwait(false);
        return stored is { Count: >= 0 and <= int.MaxValue, SizeGb: >= 0 }
            ? new CacheScopeTotals((int)stored.Count, stored.SizeGb)
            : await RepairTotalsAsync(scopeKey, stored, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Touches held behind are written first.</remarks>
    public async ValueTask<IReadOnlyList<ImageCacheEntry>> ListAsync(string? scopeKey, CancellationToken cancellationToken)
    {
        await FlushTouchesBeforeReadAsync(cancellationToken).ConfigureAwait(false);
        return await (scopeKey is null
            ? RunAsync(_sql.ListAll, 0, static (_, _) => { }, ReadAllAsync, cancellationToken)
            : RunAsync(_sql.ListScope, scopeKey, static (p, scope) => p.Add(new NpgsqlParameter<string> { TypedValue = scope }), ReadAllAsync, cancellationToken))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the touches held behind (see <see cref="PostgreSqlCacheEntryStoreOptions.TouchWriteInterval"/>) now, in one
    /// statement; a batch that fails is kept for the next write.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when they are written.</returns>
    /// <exception cref="CacheEntryStoreException">The server cannot be used.</exception>
    public ValueTask FlushTouchesAsync(CancellationToken cancellationToken) =>
        _touches is null ? ValueTask.CompletedTask : _touches.FlushAsync(cancellationToken);

    /// <summary>
    /// Writes the touches held behind before a read that orders or lists by last use; a write that fails is logged and
    /// its touches kept, and the read goes on with the times written so far (an eviction is not failed for it).
    /// </summary>
    private ValueTask FlushTouchesBeforeReadAsync(CancellationToken cancellationToken) =>
        _touches is null ? ValueTask.CompletedTask : _touches.TryFlushAsync(cancellationToken);

    /// <summary>Writes the touches held behind, then closes the store's connections. Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Writes the touches held behind (a failure is logged), then closes the store's connections.</summary>
    /// <returns>A task that completes when the connections are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_touches is not null)
        {
            await _touches.DisposeAsync().ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initLock.Dispose();
    }

    private async ValueTask WriteTouchesAsync(IReadOnlyList<CacheEntryTouch> touches, CancellationToken cancellationToken)
    {
        long[] ids = new long[touches.Count];
        long[] used = new long[touches.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = touches[i].EntryId;
            used[i] = touches[i].LastUsed.UtcTicks;
        }

        await RunNonQueryAsync(
            _sql.Touch,
            (ids, used),
            static (p, s) =>
            {
                p.Add(new NpgsqlParameter<long[]> { TypedValue = s.ids });
                p.Add(new NpgsqlParameter<long[]> { TypedValue = s.used });
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lays a touch held behind over the last-used time read.</summary>
    private async ValueTask<ImageCacheEntry?> WithTouchAsync(ValueTask<ImageCacheEntry?> read)
    {
        ImageCacheEntry? entry = await read.ConfigureAwait(false);
        return _touches is null ? entry : _touches.WithPending(entry);
    }

    /// <summary>
    /// Runs one statement on a pooled connection: binds its parameters from <paramref name="state"/> and reads its rows.
    /// Rows the reader cannot use are quarantined once the statement is done; that, and any database failure, becomes a
    /// <see cref="CacheEntryStoreException"/> naming the server.
    /// </summary>
    private async ValueTask<T> RunAsync<TState, T>(
        string sql,
        TState state,
        Action<NpgsqlParameterCollection, TState> bind,
        Func<NpgsqlDataReader, CancellationToken, ValueTask<T>> read,
        CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            NpgsqlCommand command = _dataSource.CreateCommand(sql);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            bind(command.Parameters, state);
            NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            return await read(reader, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidRowsException ex)
        {
            throw await QuarantineAsync(ex.Rows, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(ex);
        }
    }

    /// <summary>Runs one statement that returns no rows on a pooled connection; returns how many rows it changed.</summary>
    private async ValueTask<int> RunNonQueryAsync<TState>(string sql, TState state, Action<NpgsqlParameterCollection, TState> bind, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            NpgsqlCommand command = _dataSource.CreateCommand(sql);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            bind(command.Parameters, state);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(ex);
        }
    }

    private static void BindInsert(NpgsqlParameterCollection p, ImageCacheEntry entry)
    {
        p.Add(new NpgsqlParameter<string> { TypedValue = entry.ScopeKey });
        p.Add(new NpgsqlParameter<string> { TypedValue = entry.Host });
        p.Add(new NpgsqlParameter { Value = (object?)entry.Cluster ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string> { TypedValue = entry.ImageId });
        p.Add(new NpgsqlParameter<long> { TypedValue = entry.ImageUpdatedAt.UtcTicks });
        p.Add(new NpgsqlParameter<string> { TypedValue = entry.VolumeId });
        p.Add(new NpgsqlParameter<long> { TypedValue = entry.SizeGb });
        p.Add(new NpgsqlParameter<long> { TypedValue = entry.CreatedAt.UtcTicks });
        p.Add(new NpgsqlParameter<long> { TypedValue = entry.LastUsed.UtcTicks });
    }

    private static async ValueTask<ImageCacheEntry?> ReadSingleAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return EntryRow.TryRead(reader, out ImageCacheEntry? entry, out InvalidRow invalid) ? entry : throw new InvalidRowsException([invalid]);
    }

    private static async ValueTask<IReadOnlyList<ImageCacheEntry>> ReadAllAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var entries = new List<ImageCacheEntry>();
        List<InvalidRow>? invalid = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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

    private static async ValueTask<(long Count, long SizeGb)> ReadTotalsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
}
