using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Fill leases, the space they reserve and the scope locks, in the <c>fill_leases</c> table of the file, so that the
/// processes sharing it fill each image once and count each other's fills against their limits. Each call is one
/// statement, so atomic against every other process's; times are the caller's, stored as UTC ticks.
/// </summary>
public sealed partial class SqliteCacheEntryStore : ICacheCoordination
{
    /// <summary>The image id of a scope's lock among the leases: no image has an empty id.</summary>
    private const string ScopeLockImage = "";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckLease(scopeKey, imageId, holder, duration);
        return RunAsync(Statement.AcquireLease, new Lease(scopeKey, imageId, holder, now, duration), BindLease, ReadsARow, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> RenewFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckLease(scopeKey, imageId, holder, duration);
        return RunAsync(Statement.RenewLease, new Lease(scopeKey, imageId, holder, now, duration), BindLease, ReadsARow, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public async ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await RunAsync(Statement.ReleaseLease, (scopeKey, imageId, holder), BindLeaseKey, static _ => true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id, holder or volume id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> ReserveSpaceAsync(string scopeKey, string imageId, string holder, string volumeId, int sizeGb, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeGb);
        return RunAsync(
            Statement.ReserveSpace,
            (scopeKey, imageId, holder, volumeId, sizeGb),
            static (p, s) =>
            {
                BindLeaseKey(p, (s.scopeKey, s.imageId, s.holder));
                p.AddWithValue("$volume", s.volumeId);
                p.AddWithValue("$size", s.sizeGb);
            },
            ReadsARow,
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<CacheScopeTotals> GetReservedSpaceAsync(string scopeKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        return ReadAtAsync(
            Statement.ReservedSpace,
            ("$scope", scopeKey),
            now,
            static reader => reader.Read() ? new CacheScopeTotals(reader.GetInt32(0), reader.GetInt64(1)) : default,
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The volume id is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> IsVolumeInUseAsync(string volumeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        return ReadAtAsync(Statement.VolumeInUse, ("$volume", volumeId), now, static reader => reader.Read() && reader.GetInt64(0) != 0, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The lock is the lease of the scope's empty image id, so it is taken, extended and taken over as a fill lease is.</remarks>
    /// <exception cref="ArgumentException">The scope key or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> TryAcquireScopeLockAsync(string scopeKey, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return RunAsync(Statement.AcquireLease, new Lease(scopeKey, ScopeLockImage, holder, now, duration), BindLease, ReadsARow, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key or holder is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public async ValueTask ReleaseScopeLockAsync(string scopeKey, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await RunAsync(Statement.ReleaseLease, (scopeKey, ScopeLockImage, holder), BindLeaseKey, static _ => true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a read of what is live at <paramref name="now"/> for one key (a scope, a volume).</summary>
    private ValueTask<T> ReadAtAsync<T>(
        Statement statement, (string Parameter, string Value) key, DateTimeOffset now, Func<SqliteDataReader, T> read, CancellationToken cancellationToken) =>
        RunAsync(
            statement,
            (key, now.UtcTicks),
            static (p, s) =>
            {
                p.AddWithValue(s.key.Parameter, s.key.Value);
                p.AddWithValue("$now", s.UtcTicks);
            },
            read,
            cancellationToken);

    /// <summary>Reads the row a conditional write returns when it wrote.</summary>
    private static bool ReadsARow(SqliteDataReader reader) => reader.Read();

    private static void CheckLease(string scopeKey, string imageId, string holder, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
    }

    private static void BindLease(SqliteParameterCollection p, Lease lease)
    {
        p.AddWithValue("$scope", lease.ScopeKey);
        p.AddWithValue("$image", lease.ImageId);
        p.AddWithValue("$holder", lease.Holder);
        p.AddWithValue("$now", lease.Now.UtcTicks);
        p.AddWithValue("$expires", (lease.Now + lease.Duration).UtcTicks);
    }

    /// <summary>Binds the key of a lease and its holder: what release and reserve match the row by.</summary>
    private static void BindLeaseKey(SqliteParameterCollection p, (string ScopeKey, string ImageId, string Holder) lease)
    {
        p.AddWithValue("$scope", lease.ScopeKey);
        p.AddWithValue("$image", lease.ImageId);
        p.AddWithValue("$holder", lease.Holder);
    }

    private readonly record struct Lease(string ScopeKey, string ImageId, string Holder, DateTimeOffset Now, TimeSpan Duration);
}
