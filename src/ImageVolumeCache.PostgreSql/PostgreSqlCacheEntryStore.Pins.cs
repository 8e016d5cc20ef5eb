using System.Runtime.CompilerServices;
using ImageVolumeCache.PostgreSql.Internal;
using Npgsql;

namespace ImageVolumeCache.PostgreSql;

/// <summary>
/// Pins, removal marks and retirements of entries, in the <c>entry_pins</c> and <c>entry_marks</c> tables, so that no host
/// removes an entry another host is cloning from.
/// </summary>
/// <remarks>
/// A pin, a removal and a retirement each read one table and write the other (a pin checks the marks, a removal and a
/// retirement the pins), and under READ COMMITTED a statement sees only what was committed when it started: two such
/// statements running at once on two hosts would each miss the other's write. So each runs in a transaction that first
/// takes <c>pg_advisory_xact_lock(space, key)</c> (the schema's space and the entry id folded to 32 bits,
/// <see cref="PostgreSqlSchema.EntryLockSpace"/>) in a statement of its own: the next statement starts after every
/// earlier holder committed, and sees its rows. Pins take it shared, as they exclude removals and retirements but not
/// each other; removals, retirements and the release of a pin take it exclusive, so of the releases of a retired entry's
/// last pins the later sees the earlier's delete and exactly one ends the retirement. The lock is on the id, not on the
/// entry's row, because a retired entry's pins are released after its row is gone; a pin also takes
/// <c>FOR KEY SHARE</c> on the row, so the entry cannot be deleted between its check and its commit (a store pins only an
/// entry it stores), without waiting for the updates of <c>last_used</c> that hits make. Renewing a pin and ending a removal
/// change one row and read nothing else, so they are single statements without the lock.
/// </remarks>
public sealed partial class PostgreSqlCacheEntryStore
{
    /// <summary>The first key of the entries' advisory locks, from the schema name.</summary>
    private readonly int _entryLockSpace;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The pin id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> TryPinEntryAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return RunOnEntryAsync(StoreSql.LockEntryShared, _sql.Pin, new EntryCall(entryId, pin, now, now + duration), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The pin id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> RenewPinAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return RunAsync(_sql.RenewPin, new EntryCall(entryId, pin, now + duration, null), BindEntryCall, ReadAnyAsync, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The pin id is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> ReleasePinAsync(long entryId, string pin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        return RunOnEntryAsync(StoreSql.LockEntry, _sql.ReleasePin, new EntryCall(entryId, pin, now, null), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> TryBeginRemovalAsync(long entryId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return RunOnEntryAsync(StoreSql.LockEntry, _sql.BeginRemoval, new EntryCall(entryId, holder, now, now + duration), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The holder is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public async ValueTask EndRemovalAsync(long entryId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await RunNonQueryAsync(
            _sql.EndRemoval,
            (entryId, holder),
            static (p, s) =>
            {
                p.Add(new NpgsqlParameter<long> { TypedValue = s.entryId });
                p.Add(new NpgsqlParameter<string> { TypedValue = s.holder });
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The volume id is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> TryRetireEntryAsync(long entryId, string volumeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);

        // A retirement does not run out: its mark lasts until the release of the entry's last pin deletes it.
        return RunOnEntryAsync(StoreSql.LockEntry, _sql.Retire, new EntryCall(entryId, volumeId, now, DateTimeOffset.MaxValue), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> in a transaction after the entry's advisory lock (<paramref name="lockSql"/>), both in one
    /// batch, so one round trip besides the commit; returns whether <paramref name="sql"/> returned a row.
    /// </summary>
    private async ValueTask<bool> RunOnEntryAsync(string lockSql, string sql, EntryCall call, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable connectionScope = connection.ConfigureAwait(false);
            NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);
            var batch = new NpgsqlBatch(connection, transaction);
            await using ConfiguredAsyncDisposable batchScope = batch.ConfigureAwait(false);
            var entryLock = new NpgsqlBatchCommand(lockSql);
            entryLock.Parameters.Add(new NpgsqlParameter<int> { TypedValue = _entryLockSpace });
            entryLock.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PostgreSqlSchema.EntryLockKey(call.EntryId) });
            var change = new NpgsqlBatchCommand(sql);
            BindEntryCall(change.Parameters, call);
            batch.BatchCommands.Add(entryLock);
            batch.BatchCommands.Add(change);

            bool changed;
            NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                // The lock's one row comes first; then the change's RETURNING.
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                changed = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(ex);
        }
    }

    /// <summary>Binds $1 the entry id, $2 the pin, holder or volume, $3 the first time and $4 the second (when there is one), in UTC ticks.</summary>
    private static void BindEntryCall(NpgsqlParameterCollection p, EntryCall call)
    {
        p.Add(new NpgsqlParameter<long> { TypedValue = call.EntryId });
        p.Add(new NpgsqlParameter<string> { TypedValue = call.Text });
        p.Add(new NpgsqlParameter<long> { TypedValue = call.Time.UtcTicks });
        if (call.Expiry is DateTimeOffset expiry)
        {
            p.Add(new NpgsqlParameter<long> { TypedValue = expiry.UtcTicks });
        }
    }

    /// <summary>A call on an entry: its id, the pin, holder or volume it names, the time of the call (or the new expiry of a renewed pin), and the expiry it sets.</summary>
    private readonly record struct EntryCall(long EntryId, string Text, DateTimeOffset Time, DateTimeOffset? Expiry);
}
