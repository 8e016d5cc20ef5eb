using System.Globalization;
using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>Opening connections, and the one-time check and migration of the file.</summary>
public sealed partial class SqliteCacheEntryStore
{
    private const int SqliteCorrupt = 11;
    private const int SqliteConstraint = 19;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>
    /// Opens the file (making it when missing), checks that it is this store's (<c>PRAGMA application_id</c>) or empty,
    /// turns on WAL, checks its integrity (<c>PRAGMA quick_check</c>), applies the schema migrations it lacks, quarantines
    /// the entries whose values it cannot use and repairs the per-scope totals that do not match the entries; once, later
    /// calls return at once. Safe to call from several processes at a time.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for a connection.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    /// <exception cref="CacheEntryStoreException">
    /// The file cannot be opened or made, is not a SQLite database, fails its integrity check, is not this store's (another
    /// application's database, or a store of an earlier release without the application id), or has a schema version
    /// newer than this release knows. The message names the file, which is left as it was.
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

            StoreConnection connection = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                CheckAndMigrate(connection.Connection);
            }
            catch
            {
                connection.Broken = true;
                throw;
            }
            finally
            {
                _pool.Return(connection);
            }

            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private async ValueTask<StoreConnection> RentAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
    }

    private StoreConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            Run(connection, $"PRAGMA busy_timeout = {_busyTimeoutMs.ToString(CultureInfo.InvariantCulture)}");
            // In WAL mode NORMAL syncs at checkpoints only: a power cut may lose the last commits, never corrupt the file.
            Run(connection, "PRAGMA synchronous = NORMAL");
            // Reads through a memory map and a larger page cache keep lookups off read() calls at 100k entries.
            Run(connection, "PRAGMA mmap_size = 268435456");
            Run(connection, "PRAGMA cache_size = -16384");
            // Checkpoint every 10,000 pages (about 40 MB of WAL) rather than 1,000: each checkpoint syncs the file, and
            // touches spread over many pages, so fewer, larger checkpoints roughly halve the cost of a write.
            Run(connection, "PRAGMA wal_autocheckpoint = 10000");
            return new StoreConnection(connection);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw Unusable(ex);
        }
    }

    private void CheckAndMigrate(SqliteConnection connection)
    {
        try
        {
            // Nothing is written before the file is known to be this store's (or empty): a foreign file stays as it was.
            // The check reads several things, so it reads them in one read transaction: another process making the empty
            // file into a store at the same moment is seen either not at all or whole, never half (tables, but no id yet).
            using (SqliteTransaction read = connection.BeginTransaction(deferred: true))
            {
                Scalar(connection, SqliteSchema.CountSchemaObjects); // takes the snapshot the checks below read
                IsEmptyOrRefuse(connection);
                read.Rollback();
            }

            // WAL lets readers run beside the one writer, across processes too; the mode is kept in the file.
            Run(connection, "PRAGMA journal_mode = WAL");
            string check = QuickCheck(connection);
            if (check != "ok")
            {
                throw new CacheEntryStoreException(DatabasePath, $"The image-volume cache store '{DatabasePath}' is corrupt (PRAGMA quick_check: {check}). Restore it from a backup or move it aside; entries are not dropped automatically.");
            }

            using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);

            // Again under the write lock: another process may have made the empty file into a store meanwhile.
            if (IsEmptyOrRefuse(connection))
            {
                Run(connection, SqliteSchema.WriteApplicationId);
            }

            Migrate(connection);
            CheckRowsAndTotals(connection);
            transaction.Commit();
        }
        catch (SqliteException ex)
        {
            throw Unusable(ex);
        }
    }

    /// <summary>Applies the migrations the file lacks, in the caller's transaction.</summary>
    private void Migrate(SqliteConnection connection)
    {
        long version = 0;
        if (Scalar(connection, SqliteSchema.HasVersionTable) == 0)
        {
            Run(connection, SqliteSchema.CreateVersionTable);
        }
        else
        {
            version = Scalar(connection, SqliteSchema.ReadVersion);
        }

        if (version > SqliteSchema.CurrentVersion)
        {
            throw new CacheEntryStoreException(DatabasePath, $"The image-volume cache store '{DatabasePath}' has schema version {version}, newer than this release knows ({SqliteSchema.CurrentVersion}); a newer release wrote it. Upgrade, or point the store at another file.");
        }

        for (long next = version + 1; next <= SqliteSchema.CurrentVersion; next++)
        {
            Run(connection, SqliteSchema.Migrations[next - 1]);
        }

        if (version < SqliteSchema.CurrentVersion)
        {
            using SqliteCommand write = connection.CreateCommand();
            write.CommandText = SqliteSchema.WriteVersion;
            write.Parameters.AddWithValue("$version", SqliteSchema.CurrentVersion);
            write.ExecuteNonQuery();
        }
    }

    private static string QuickCheck(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check";
        using SqliteDataReader reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read() && lines.Count < 5)
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join("; ", lines);
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : 0;
    }

    private CacheEntryStoreException Unusable(SqliteException ex)
    {
        string why = ex.SqliteErrorCode switch
        {
            SqliteNotADatabase => "is not a SQLite database (or is encrypted)",
            SqliteCorrupt => "is corrupt",
            SqliteCantOpen when !Directory.Exists(Path.GetDirectoryName(DatabasePath)) => $"cannot be opened: its folder '{Path.GetDirectoryName(DatabasePath)}' does not exist",
            SqliteCantOpen => "cannot be opened or made (check that its folder is writable)",
            _ => "cannot be used",
        };
        return new CacheEntryStoreException(DatabasePath, $"The image-volume cache store '{DatabasePath}' {why}: {ex.Message}", ex);
    }
}
