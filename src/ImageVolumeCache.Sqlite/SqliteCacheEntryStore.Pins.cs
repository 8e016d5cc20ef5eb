using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Pins, removal marks and retirement of entries, in the <c>entry_pins</c> and <c>entry_marks</c> tables of the file, so
/// that no process removes an entry another process clones from. Each call is one statement, but the release of a pin,
/// which is two in one <c>BEGIN IMMEDIATE</c> transaction; so each is atomic against every other process's.
/// </summary>
public sealed partial class SqliteCacheEntryStore
{
    /// <inheritdoc/>
    /// <remarks>Whether the entry is still stored is checked by the statement that writes the pin.</remarks>
    /// <exception cref="ArgumentException">The pin id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> TryPinEntryAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckPin(pin, duration);
        return RunAsync(Statement.Pin, new EntryPin(entryId, pin, now, now + duration), BindPin, ReadsARow, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The pin id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> RenewPinAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckPin(pin, duration);
        return RunAsync(Statement.RenewPin, new EntryPin(entryId, pin, now, now + duration), BindPin, ReadsARow, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The pin id is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> ReleasePinAsync(long entryId, string pin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        return InWriteTransactionAsync(
            new EntryPin(entryId, pin, now, now),
            static (connection, transaction, release) =>
            {
                SqliteCommand unpin = connection.Command(Statement.Unpin, transaction);
                BindPin(unpin.Parameters, release);
                unpin.ExecuteNonQuery();

                // Under the same write lock: of the releasers of a retired entry's last pins, one ends its retirement.
                SqliteCommand end = connection.Command(Statement.EndRetirement, transaction);
                BindPin(end.Parameters, release);
                using SqliteDataReader reader = end.ExecuteReader();
                return reader.Read();
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> TryBeginRemovalAsync(long entryId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return RunAsync(Statement.BeginRemoval, new EntryMark(entryId, holder, VolumeId: null, now, now + duration), BindMark, ReadsARow, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The holder is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public async ValueTask EndRemovalAsync(long entryId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await RunAsync(Statement.EndRemoval, new EntryMark(entryId, holder, VolumeId: null, default, default), BindMark, static _ => true, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The volume id is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> TryRetireEntryAsync(long entryId, string volumeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);

        // A retired mark does not run out; it ends with the release of the entry's last pin.
        var retirement = new EntryMark(entryId, Holder: null, volumeId, now, DateTimeOffset.MaxValue);
        return RunAsync(Statement.Retire, retirement, BindMark, ReadsARow, cancellationToken);
    }

    private static void CheckPin(string pin, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
    }

    private static void BindPin(SqliteParameterCollection p, EntryPin pin)
    {
        p.AddWithValue("$entry", pin.EntryId);
        p.AddWithValue("$pin", pin.Pin);
        p.AddWithValue("$now", pin.Now.UtcTicks);
        p.AddWithValue("$expires", pin.ExpiresAt.UtcTicks);
    }

    private static void BindMark(SqliteParameterCollection p, EntryMark mark)
    {
        p.AddWithValue("$entry", mark.EntryId);
        p.AddWithValue("$holder", (object?)mark.Holder ?? DBNull.Value);
        p.AddWithValue("$volume", (object?)mark.VolumeId ?? DBNull.Value);
        p.AddWithValue("$now", mark.Now.UtcTicks);
        p.AddWithValue("$expires", mark.ExpiresAt.UtcTicks);
    }

    private readonly record struct EntryPin(long EntryId, string Pin, DateTimeOffset Now, DateTimeOffset ExpiresAt);

    /// <summary>A removal mark (a holder, no volume) or a retirement (no holder, the entry's volume).</summary>
    private readonly record struct EntryMark(long EntryId, string? Holder, string? VolumeId, DateTimeOffset Now, DateTimeOffset ExpiresAt);
}
