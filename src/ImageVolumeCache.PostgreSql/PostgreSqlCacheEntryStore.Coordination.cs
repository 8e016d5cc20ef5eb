using System.Runtime.CompilerServices;
using Npgsql;

namespace ImageVolumeCache.PostgreSql;

/// <summary>
/// Fill leases in the <c>fill_leases</c> table of the store's schema, so that the hosts of a cluster fill each image once.
/// Each call is one statement, so atomic against every other host's; times are the caller's, stored as UTC ticks.
/// </summary>
public sealed partial class PostgreSqlCacheEntryStore : ICacheCoordination
{
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
    public async ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            NpgsqlCommand command = _dataSource.CreateCommand(_sql.ReleaseLease);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            BindKey(command.Parameters, scopeKey, imageId, holder);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(ex);
        }
    }

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
