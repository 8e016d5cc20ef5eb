using System.Globalization;
using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Which files the store may write to: its own, marked by <c>PRAGMA application_id</c> when it made them, and empty ones.
/// Every other file is refused before the first write, so a path that points at the wrong file costs nothing but an error.
/// </summary>
public sealed partial class SqliteCacheEntryStore
{
    /// <summary>
    /// Returns <see langword="true"/> for an empty file (to be made into a store), <see langword="false"/> for one of the
    /// store's own; throws for any other. Only reads.
    /// </summary>
    /// <remarks>
    /// Empty means no tables, indexes or views, and both <c>application_id</c> and <c>user_version</c> 0: a 0-byte file,
    /// or one left by a start that stopped before its first commit. Nothing in it can be lost.
    /// </remarks>
    private bool IsEmptyOrRefuse(SqliteConnection connection)
    {
        long applicationId = Scalar(connection, SqliteSchema.ReadApplicationId);
        if (applicationId == SqliteSchema.ApplicationId)
        {
            return false;
        }

        string ours = Hex(SqliteSchema.ApplicationId);
        if (applicationId != 0)
        {
            throw new CacheEntryStoreException(DatabasePath, $"'{DatabasePath}' is a SQLite database of another application (application_id 0x{Hex(applicationId)}, not 0x{ours}): it is not an image-volume cache store, and it was left as it was. Point the store at another file.");
        }

        if (Scalar(connection, SqliteSchema.CountSchemaObjects) == 0 && Scalar(connection, SqliteSchema.ReadUserVersion) == 0)
        {
            return true;
        }

        if (Scalar(connection, SqliteSchema.HasVersionTable) == 1 && Scalar(connection, SqliteSchema.HasEntriesTable) == 1)
        {
            throw new CacheEntryStoreException(DatabasePath, $"'{DatabasePath}' looks like an image-volume cache store made by an earlier release, before stores were marked with application_id 0x{ours}; this release does not write to a file it cannot tell from another application's. Stop the host, move it aside (with its -wal and -shm files) and start again: a new store is made, and reconciliation adopts the cache volumes it finds on the backends.");
        }

        throw new CacheEntryStoreException(DatabasePath, $"'{DatabasePath}' holds a SQLite database without the application_id of the store (0x{ours}): it is not an image-volume cache store, and it was left as it was. Point the store at another file.");
    }

    private static string Hex(long applicationId) => unchecked((uint)applicationId).ToString("X8", CultureInfo.InvariantCulture);
}
