using System.Globalization;
using System.Runtime.CompilerServices;
using ImageVolumeCache.PostgreSql.Diagnostics;
using ImageVolumeCache.PostgreSql.Internal;
using Npgsql;

namespace ImageVolumeCache.PostgreSql;

/// <summary>
/// Rows the store cannot use, and totals that cannot be right. A bad row is moved into <c>quarantined_entries</c> (kept,
/// out of service) and the totals of its scope recomputed, so that one bad row fails one call, not every request for its image.
/// </summary>
public sealed partial class PostgreSqlCacheEntryStore
{
    /// <summary>
    /// Quarantines rows a call met, in one transaction, and returns the exception that call throws: it names the server
    /// and the entries, and <see cref="CacheEntryStoreException.QuarantinedEntryIds"/> lists them.
    /// </summary>
    private async Task<CacheEntryStoreException> QuarantineAsync(IReadOnlyList<InvalidRow> rows, CancellationToken cancellationToken)
    {
        long[] ids = rows.Select(r => r.Id).ToArray();
        try
        {
            NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable connectionScope = connection.ConfigureAwait(false);
            NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);
            var move = new NpgsqlCommand(_sql.Quarantine, connection);
            await using (move.ConfigureAwait(false))
            {
                move.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
                move.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _timeProvider.GetUtcNow().UtcTicks });
                move.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Reason).ToArray() });
                await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await RecomputeTotalsAsync(connection, rows.Select(r => r.ScopeKey).Distinct().ToArray(), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(ex);
        }

        foreach (InvalidRow row in rows)
        {
            Log.EntryQuarantined(_logger, row.Id, Location, row.Reason);
        }

        string entries = string.Join("; ", rows.Select(r => $"entry {r.Id.ToString(CultureInfo.InvariantCulture)}: {r.Reason}"));
        return new CacheEntryStoreException(
            Location,
            $"The image-volume cache store {Location} held entries with values it cannot use ({entries}). They were moved out of service into table quarantined_entries; the same call made again no longer sees them.")
        {
            QuarantinedEntryIds = ids,
        };
    }

    /// <summary>
    /// Recomputes a scope's totals from its rows when the stored ones cannot be right, after quarantining any row of the
    /// scope the store cannot use (which throws, as any call that meets such a row does).
    /// </summary>
    private async Task<CacheScopeTotals> RepairTotalsAsync(string scopeKey, (long Count, long SizeGb) stored, CancellationToken cancellationToken)
    {
        IReadOnlyList<InvalidRow> invalid = await RunAsync(
            _sql.ScopeRows,
            scopeKey,
            static (p, scope) => p.Add(new NpgsqlParameter<string> { TypedValue = scope }),
            FindInvalidAsync,
            cancellationToken).ConfigureAwait(false);
        if (invalid.Count > 0)
        {
            throw await QuarantineAsync(invalid, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable connectionScope = connection.ConfigureAwait(false);
            NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);
            await RecomputeTotalsAsync(connection, [scopeKey], cancellationToken).ConfigureAwait(false);
            var read = new NpgsqlCommand(_sql.Totals, connection);
            await using ConfiguredAsyncDisposable readScope = read.ConfigureAwait(false);
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = scopeKey });
            (long count, long size) = await RunReaderAsync(read, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Log.TotalsRepaired(_logger, scopeKey, Location, stored.Count, stored.SizeGb);
            return new CacheScopeTotals((int)count, size);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(ex);
        }
    }

    private static async ValueTask<(long Count, long SizeGb)> RunReaderAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
        return await ReadTotalsAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    private async Task RecomputeTotalsAsync(NpgsqlConnection connection, string[] scopes, CancellationToken cancellationToken)
    {
        foreach (string sql in (string[])[_sql.DeleteTotals, _sql.RecomputeTotals])
        {
            var command = new NpgsqlCommand(sql, connection);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = scopes });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<IReadOnlyList<InvalidRow>> FindInvalidAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var invalid = new List<InvalidRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!EntryRow.TryRead(reader, out _, out InvalidRow row))
            {
                invalid.Add(row);
            }
        }

        return invalid;
    }
}
