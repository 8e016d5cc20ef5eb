using System.Runtime.CompilerServices;
using ImageVolumeCache.PostgreSql.Diagnostics;
using ImageVolumeCache.PostgreSql.Internal;
using Npgsql;

namespace ImageVolumeCache.PostgreSql;

/// <summary>The one-time making and migration of the schema, and the errors that name the server.</summary>
public sealed partial class PostgreSqlCacheEntryStore
{
    private readonly string _quotedSchema;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>
    /// Connects, makes the schema and its tables when missing and applies the migrations they lack, in one transaction
    /// that holds <c>pg_advisory_xact_lock</c> on a key derived from the schema name, so that hosts starting at once
    /// migrate once; once done, later calls return at once. A failed attempt (the server down) is made again by the next call.
    /// </summary>
    /// <param name="cancellationToken">Cancels the connection and the migration (which then rolls back).</param>
    /// <returns>A task that completes when the store is ready.</returns>
    /// <exception cref="CacheEntryStoreException">
    /// The server cannot be reached or refuses the login, the schema holds tables that are not the store's, or it has a
    /// schema version newer than this release knows. The message names the server, database and schema, never the password.
    /// </exception>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            try
            {
                await MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw Failure(ex);
            }

            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _initialized ? ValueTask.CompletedTask : InitializeAsync(cancellationToken);
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable connectionScope = connection.ConfigureAwait(false);
        NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);

        // Held to the end of the transaction: a second host waits here, then sees the first one's schema committed.
        await ExecuteAsync(connection, PostgreSqlSchema.LockMigration, PostgreSqlSchema.MigrationLockKey(Schema), cancellationToken).ConfigureAwait(false);

        int version = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        if (version > PostgreSqlSchema.CurrentVersion)
        {
            throw new CacheEntryStoreException(Location, $"The image-volume cache store {Location} has schema version {version}, newer than this release knows ({PostgreSqlSchema.CurrentVersion}); a newer release wrote it. Upgrade, or set PostgreSqlCacheEntryStoreOptions.Schema to another schema.");
        }

        for (int next = version + 1; next <= PostgreSqlSchema.CurrentVersion; next++)
        {
            await ExecuteAsync(connection, PostgreSqlSchema.Migration(next, _quotedSchema), cancellationToken).ConfigureAwait(false);
        }

        if (version < PostgreSqlSchema.CurrentVersion)
        {
            await ExecuteAsync(connection, PostgreSqlSchema.WriteVersion(_quotedSchema), PostgreSqlSchema.CurrentVersion, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (version < PostgreSqlSchema.CurrentVersion)
        {
            Log.SchemaMigrated(_logger, Location, version, PostgreSqlSchema.CurrentVersion);
        }
    }

    /// <summary>
    /// The schema's version, 0 for a schema made now (or an empty one); refuses a schema that holds tables but no
    /// <c>schema_version</c>, which is not the store's, and leaves it as it was.
    /// </summary>
    private async Task<int> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        bool schemaExists, hasVersionTable;
        long tables;
        var inspect = new NpgsqlCommand(PostgreSqlSchema.Inspect, connection);
        await using (inspect.ConfigureAwait(false))
        {
            inspect.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
            NpgsqlDataReader reader = await inspect.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            (schemaExists, tables, hasVersionTable) = (reader.GetBoolean(0), reader.GetInt64(1), reader.GetBoolean(2));
        }

        if (hasVersionTable)
        {
            var read = new NpgsqlCommand(PostgreSqlSchema.ReadVersion(_quotedSchema), connection);
            await using ConfiguredAsyncDisposable readScope = read.ConfigureAwait(false);
            return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
        }

        if (tables > 0)
        {
            throw new CacheEntryStoreException(Location, $"The schema '{Schema}' of {Location} holds tables that are not an image-volume cache store's (it has no schema_version table); it was left as it was. Set PostgreSqlCacheEntryStoreOptions.Schema to another schema.");
        }

        if (!schemaExists)
        {
            await ExecuteAsync(connection, PostgreSqlSchema.CreateSchema(_quotedSchema), cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, PostgreSqlSchema.CreateVersionTable(_quotedSchema), cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync<T>(NpgsqlConnection connection, string sql, T parameter, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = parameter });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A database failure as the store's error. A server error (a <see cref="PostgresException"/>) says what the server
    /// said; anything else (refused, timed out, reset) is a server that cannot be reached. The message names the server,
    /// never the user or password.
    /// </summary>
    private CacheEntryStoreException Failure(NpgsqlException ex)
    {
        string what = ex is PostgresException ? "failed" : "cannot be reached";
        return new CacheEntryStoreException(Location, $"The image-volume cache store {Location} {what}: {ex.Message}", ex);
    }
}
