using System.Globalization;
using ImageVolumeCache.Sqlite.Diagnostics;
using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Rows the store cannot use, and totals that do not match the rows. A bad row is moved into <c>quarantined_entries</c>
/// (kept, out of service) and the totals of its scope recomputed, so that one bad row fails one call, not every request
/// for its image; the totals of every scope are checked against the rows at start-up.
/// </summary>
public sealed partial class SqliteCacheEntryStore
{
    /// <summary>
    /// Quarantines rows a call met, in their own transaction, and returns the exception that call throws: it names the file
    /// and the entries, and <see cref="CacheEntryStoreException.QuarantinedEntryIds"/> lists them.
    /// </summary>
    private CacheEntryStoreException Quarantine(SqliteConnection connection, IReadOnlyList<InvalidRow> rows)
    {
        using (SqliteTransaction transaction = connection.BeginTransaction(deferred: false))
        {
            MoveToQuarantine(connection, rows);
            foreach (object scope in rows.Select(r => r.ScopeKey).Distinct())
            {
                RepairTotals(connection, scope);
            }

            transaction.Commit();
        }

        string entries = string.Join("; ", rows.Select(r => $"entry {r.Id.ToString(CultureInfo.InvariantCulture)}: {r.Reason}"));
        return new CacheEntryStoreException(
            DatabasePath,
            $"The image-volume cache store '{DatabasePath}' held entries with values it cannot use ({entries}). They were moved out of service into table quarantined_entries; the same call made again no longer sees them.")
        {
            QuarantinedEntryIds = rows.Select(r => r.Id).ToArray(),
        };
    }

    /// <summary>At start-up: quarantines every row the store cannot use and repairs the totals of every scope, in the caller's transaction.</summary>
    private void CheckRowsAndTotals(SqliteConnection connection)
    {
        MoveToQuarantine(connection, FindInvalidRows(connection, scope: null));
        RepairTotals(connection, scope: null);
    }

    /// <summary>
    /// Totals that cannot be right (out of range, or not numbers) are recomputed from the scope's rows, after any row of the
    /// scope the store cannot use is quarantined (which throws, as any call that meets such a row does).
    /// </summary>
    private CacheScopeTotals RepairUnreadableTotals(SqliteConnection connection, string scope)
    {
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        IReadOnlyList<InvalidRow> invalid = FindInvalidRows(connection, scope);
        if (invalid.Count > 0)
        {
            transaction.Rollback();
            throw Quarantine(connection, invalid);
        }

        RepairTotals(connection, scope);
        using SqliteCommand read = connection.CreateCommand();
        read.CommandText = Sql.Totals;
        read.Parameters.AddWithValue("$scope", scope);
        using SqliteDataReader reader = read.ExecuteReader();
        CacheScopeTotals totals = ReadTotals(reader) ?? default;
        reader.Close();
        transaction.Commit();
        return totals;
    }

    private static List<InvalidRow> FindInvalidRows(SqliteConnection connection, string? scope)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = scope is null ? RepairSql.AllRows : RepairSql.ScopeRows;
        if (scope is not null)
        {
            command.Parameters.AddWithValue("$scope", scope);
        }

        var invalid = new List<InvalidRow>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!EntryRow.TryRead(reader, out _, out InvalidRow row))
            {
                invalid.Add(row);
            }
        }

        return invalid;
    }

    private void MoveToQuarantine(SqliteConnection connection, IReadOnlyList<InvalidRow> rows)
    {
        foreach (InvalidRow row in rows)
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = RepairSql.Quarantine;
            command.Parameters.AddWithValue("$id", row.Id);
            command.Parameters.AddWithValue("$at", _timeProvider.GetUtcNow().UtcTicks);
            command.Parameters.AddWithValue("$reason", row.Reason);
            command.ExecuteNonQuery();
            Log.EntryQuarantined(_logger, row.Id, DatabasePath, row.Reason);
        }
    }

    /// <summary>Sets the stored totals of one scope, or of every scope (<paramref name="scope"/> null), to those of the rows.</summary>
    private void RepairTotals(SqliteConnection connection, object? scope)
    {
        var wrong = new List<(object Scope, object Count, object Size, long ActualCount, long ActualSize)>();
        using (SqliteCommand find = connection.CreateCommand())
        {
            find.CommandText = scope is null ? RepairSql.AllWrongTotals : RepairSql.ScopeWrongTotals;
            if (scope is not null)
            {
                find.Parameters.AddWithValue("$scope", scope);
            }

            using SqliteDataReader reader = find.ExecuteReader();
            while (reader.Read())
            {
                wrong.Add((reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }

        foreach ((object key, object count, object size, long actualCount, long actualSize) in wrong)
        {
            using SqliteCommand fix = connection.CreateCommand();
            fix.CommandText = actualCount == 0 ? RepairSql.DeleteTotals : RepairSql.SetTotals;
            fix.Parameters.AddWithValue("$scope", key);
            fix.Parameters.AddWithValue("$count", actualCount);
            fix.Parameters.AddWithValue("$size", actualSize);
            fix.ExecuteNonQuery();
            Log.TotalsRepaired(_logger, Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty, DatabasePath, Shown(count), Shown(size), actualCount, actualSize);
        }
    }

    private static string Shown(object value) => value is DBNull ? "none" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>The totals row, <c>default</c> when there is none, or <see langword="null"/> when its values cannot be totals.</summary>
    private static CacheScopeTotals? ReadTotals(SqliteDataReader reader)
    {
        if (!reader.Read())
        {
            return default(CacheScopeTotals);
        }

        return reader.GetValue(0) is long count && count is >= 0 and <= int.MaxValue && reader.GetValue(1) is long size && size >= 0
            ? new CacheScopeTotals((int)count, size)
            : null;
    }
}
