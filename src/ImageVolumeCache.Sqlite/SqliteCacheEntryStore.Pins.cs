using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Pins, removal marks and retirement of entries, in the <c>entry_pins</c> and <c>entry_marks</c> tables of the file, so
/// that no process removes an entry another process clones from. Each call is one statement, so atomic against every
/// other process's (a statement that writes holds the file's write lock from its first read); the release of a retired
/// entry's pin is two, of which the second alone decides whether the retirement ends.
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
    public async ValueTask<bool> ReleasePinAsync(long entryId, string pin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        var release = new EntryPin(entryId, pin, now, now);

        // A pin that was not there (no row back) may still be the last of a retired entry's: its retirement is checked too.
        bool retired = await RunAsync(Statement.Unpin, release, BindPin, static reader => !reader.Read() || reader.GetBoolean(0), cancellationToken).ConfigureAwait(false);

        // One statement: of the releasers of a retired entry's last pins, the one that finds no live pin ends it.
        return retired && await RunAsync(Statement.EndRetirement, release, BindPin, ReadsARow, cancellationToken).ConfigureAwait(false);
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
