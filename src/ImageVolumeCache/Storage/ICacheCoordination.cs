namespace ImageVolumeCache;

/// <summary>
/// Coordination of the cache across every process and host that shares one entry store. Before it fills a cache volume
/// the cache takes the fill lease of (scope, image), so that one holder fills while the others wait and then clone its
/// entry. A lease runs out unless its holder renews it, so the lease of a holder that crashed or lost the store is taken
/// over by one waiter; a holder whose lease was taken over does not record its entry.
/// </summary>
/// <remarks>
/// A store that processes or hosts share implements it beside <see cref="ICacheEntryStore"/> (the SQLite store for the
/// processes sharing its file, the PostgreSQL store for the hosts of a cluster). For a store that does not, the cache
/// coordinates inside its own process. Times are the caller's (its <see cref="TimeProvider"/>), so that every holder
/// compares leases on the same clock as the store records them; each method is atomic on its own and thread-safe.
/// </remarks>
public interface ICacheCoordination
{
    /// <summary>
    /// Takes the fill lease of (scope, image) for <paramref name="holder"/> until <paramref name="now"/> +
    /// <paramref name="duration"/>: when nobody holds it, when its lease ran out (a takeover), or when the holder already
    /// holds it (then it is extended).
    /// </summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="holder">Who takes it: unique per cache instance (host, process and instance).</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="duration">How long the lease lasts unless renewed; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when <paramref name="holder"/> holds the lease now.</returns>
    ValueTask<bool> TryAcquireFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Extends a lease <paramref name="holder"/> holds to <paramref name="now"/> + <paramref name="duration"/>. Fails when
    /// another holder took it over, or it was released.
    /// </summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="holder">The holder.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="duration">How long the lease lasts from now unless renewed again; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when <paramref name="holder"/> still holds the lease.</returns>
    ValueTask<bool> RenewFillLeaseAsync(string scopeKey, string imageId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Releases a lease <paramref name="holder"/> holds; does nothing when it does not hold it.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="holder">The holder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    ValueTask ReleaseFillLeaseAsync(string scopeKey, string imageId, string holder, CancellationToken cancellationToken);
}
