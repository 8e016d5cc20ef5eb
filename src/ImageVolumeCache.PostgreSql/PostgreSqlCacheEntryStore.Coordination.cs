using Npgsql;

namespace ImageVolumeCache.PostgreSql;

/// <summary>
/// Fill leases, the space reserved on them and the scope locks, in the <c>fill_leases</c> table of the store's schema, so
/// that the hosts of a cluster fill each image once and count each other's fills against a scope's limits. Each call is
/// one statement, so atomic against every other host's; times are the caller's, stored as UTC ticks.
/// </summary>
public sealed partial class PostgreSqlCacheEntryStore : ICacheCoordination
{
    /// <summary>The image id of a scope's lock among the fill leases: no image has an empty id.</summary>
    private const string ScopeLockImage = "";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckLease(scopeKey, imageId, holder, duration);
        return RunAsync(_sql.AcquireLease, new Lease(scopeKey, imageId, holder, now, duration), BindLease, ReadAnyAsync, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> RenewFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckLease(scopeKey, imageId, holder, duration);
        return RunAsync(_sql.RenewLease, new Lease(scopeKey, imageId, holder, now, duration), BindRenewal, ReadAnyAsync, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return ReleaseLeaseAsync(scopeKey, imageId, holder, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id, holder or volume id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> ReserveSpaceAsync(string scopeKey, string imageId, string holder, string volumeId, int sizeGb, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeGb);
        return RunAsync(
            _sql.ReserveSpace,
            (scopeKey, imageId, holder, volumeId, sizeGb),
            static (p, s) =>
            {
                BindKey(p, s.scopeKey, s.imageId, s.holder);
                p.Add(new NpgsqlParameter<string> { TypedValue = s.volumeId });
                p.Add(new NpgsqlParameter<int> { TypedValue = s.sizeGb });
            },
            ReadAnyAsync,
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public async ValueTask<CacheScopeTotals> GetReservedSpaceAsync(string scopeKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        (long count, long sizeGb) = await RunAsync(_sql.ReservedSpace, (scopeKey, now), BindKeyAndTime, ReadTotalsAsync, cancellationToken).ConfigureAwait(false);
        return new CacheScopeTotals((int)count, sizeGb);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The volume id is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> IsVolumeInUseAsync(string volumeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeId);
        return RunAsync(_sql.VolumeInUse, (volumeId, now), BindKeyAndTime, ReadAnyAsync, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The lock is the fill lease of the scope's empty image id, so it is taken, taken over and released as a lease is.</remarks>
    /// <exception cref="ArgumentException">The scope key or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask<bool> TryAcquireScopeLockAsync(string scopeKey, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return RunAsync(_sql.AcquireLease, new Lease(scopeKey, ScopeLockImage, holder, now, duration), BindLease, ReadAnyAsync, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key or holder is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The server cannot be reached or the statement failed.</exception>
    public ValueTask ReleaseScopeLockAsync(string scopeKey, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return ReleaseLeaseAsync(scopeKey, ScopeLockImage, holder, cancellationToken);
    }

    private async ValueTask ReleaseLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken) =>
        await RunNonQueryAsync(_sql.ReleaseLease, (scopeKey, imageId, holder), static (p, s) => BindKey(p, s.scopeKey, s.imageId, s.holder), cancellationToken).ConfigureAwait(false);

    private static void CheckLease(string scopeKey, string imageId, string holder, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
    }

    private static void BindKey(NpgsqlParameterCollection p, string scopeKey, string imageId, string holder)
    {
        p.Add(new NpgsqlParameter<string> { TypedValue = scopeKey });
        p.Add(new NpgsqlParameter<string> { TypedValue = imageId });
        p.Add(new NpgsqlParameter<string> { TypedValue = holder });
    }

    /// <summary>Binds $1 a scope key or volume id and $2 the time of the call, in UTC ticks.</summary>
    private static void BindKeyAndTime(NpgsqlParameterCollection p, (string Key, DateTimeOffset Now) call)
    {
        p.Add(new NpgsqlParameter<string> { TypedValue = call.Key });
        p.Add(new NpgsqlParameter<long> { TypedValue = call.Now.UtcTicks });
    }

    private static void BindLease(NpgsqlParameterCollection p, Lease lease)
    {
        BindKey(p, lease.ScopeKey, lease.ImageId, lease.Holder);
        p.Add(new NpgsqlParameter<long> { TypedValue = lease.Now.UtcTicks });
        p.Add(new NpgsqlParameter<long> { TypedValue = (lease.Now + lease.Duration).UtcTicks });
    }

    private static void BindRenewal(NpgsqlParameterCollection p, Lease lease)
    {
        BindKey(p, lease.ScopeKey, lease.ImageId, lease.Holder);
        p.Add(new NpgsqlParameter<long> { TypedValue = (lease.Now + lease.Duration).UtcTicks });
    }

    private static async ValueTask<bool> ReadAnyAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    private readonly record struct Lease(string ScopeKey, string ImageId, string Holder, DateTimeOffset Now, TimeSpan Duration);
}
