using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Fill leases in the <c>fill_leases</c> table of the file, so that the processes sharing it fill each image once. Each
/// call is one statement, so atomic against every other process's; times are the caller's, stored as UTC ticks.
/// </summary>
public sealed partial class SqliteCacheEntryStore : ICacheCoordination
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckLease(scopeKey, imageId, holder, duration);
        return RunAsync(Statement.AcquireLease, new Lease(scopeKey, imageId, holder, now, duration), BindLease, static reader => reader.Read(), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public ValueTask<bool> RenewFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckLease(scopeKey, imageId, holder, duration);
        return RunAsync(Statement.RenewLease, new Lease(scopeKey, imageId, holder, now, duration), BindLease, static reader => reader.Read(), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The scope key, image id or holder is empty.</exception>
    /// <exception cref="CacheEntryStoreException">The file cannot be used.</exception>
    public async ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scopeKey);
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await RunAsync(Statement.ReleaseLease, (scopeKey, imageId, holder), BindRelease, static _ => true, cancellationToken).ConfigureAwait(false);
    }

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

    private static void BindRelease(SqliteParameterCollection p, (string ScopeKey, string ImageId, string Holder) lease)
    {
        p.AddWithValue("$scope", lease.ScopeKey);
        p.AddWithValue("$image", lease.ImageId);
        p.AddWithValue("$holder", lease.Holder);
    }

    private readonly record struct Lease(string ScopeKey, string ImageId, string Holder, DateTimeOffset Now, TimeSpan Duration);
}
