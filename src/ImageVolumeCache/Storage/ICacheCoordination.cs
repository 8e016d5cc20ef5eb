namespace ImageVolumeCache;

/// <summary>
/// Coordination of the cache across every process and host that shares one entry store, so that single flight, pins,
/// limits and reconciliation hold for all of them together:
/// <list type="bullet">
/// <item><description><b>Fill leases</b> per (scope, image): one holder fills while the others wait and then clone its
/// entry. A lease runs out unless its holder renews it, so the lease of a holder that crashed or lost the store is taken
/// over by one waiter; a holder whose lease was taken over does not record its entry.</description></item>
/// <item><description><b>Space reservations and in-progress marks</b>: the holder of a fill lease records on it the cache
/// volume it fills and the room that volume takes. The room counts against the scope's limits on every host until the
/// lease ends, and no reconciliation deletes the volume while the lease lives. Room is found and reserved under the
/// scope's lock, held by one holder of all hosts at a time.</description></item>
/// <item><description><b>Pins</b>: an entry being cloned from is pinned, and a pinned entry is never removed. Removal
/// (eviction) and pins exclude each other; an entry that must go while pinned (its image changed) is retired instead:
/// it takes no new pin, and whoever releases its last pin deletes its volume.</description></item>
/// </list>
/// </summary>
/// <remarks>
/// A store that processes or hosts share implements it beside <see cref="ICacheEntryStore"/> (the SQLite store for the
/// processes sharing its file, the PostgreSQL store for the hosts of a cluster). For a store that does not, the cache
/// coordinates inside its own process. Times are the caller's (its <see cref="TimeProvider"/>), so that every holder
/// compares leases on the same clock as the store records them; each method is atomic on its own and thread-safe. A
/// pin, lease or removal mark whose expiry is not after the time of a call is treated as gone by that call.
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

    /// <summary>
    /// Records on the fill lease <paramref name="holder"/> holds the cache volume it fills and the room it takes: from now
    /// until the lease ends, <see cref="GetReservedSpaceAsync"/> counts it and <see cref="IsVolumeInUseAsync"/> names it.
    /// </summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="holder">The holder of the lease.</param>
    /// <param name="volumeId">The id of the cache volume the holder fills.</param>
    /// <param name="sizeGb">The room the volume takes, in GB; not negative (0 counts as an entry without size).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when <paramref name="holder"/> holds the lease and the reservation was recorded.</returns>
    ValueTask<bool> ReserveSpaceAsync(string scopeKey, string imageId, string holder, string volumeId, int sizeGb, CancellationToken cancellationToken);

    /// <summary>The room reserved in a scope by fill leases that have not run out at <paramref name="now"/>: how many, and their GB.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count and size of the live reservations.</returns>
    ValueTask<CacheScopeTotals> GetReservedSpaceAsync(string scopeKey, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a cache volume is in use by a holder that may still be alive: a fill lease that has not run out fills it,
    /// or it is the volume of a retired entry that still has a live pin. Reconciliation leaves such a volume alone.
    /// </summary>
    /// <param name="volumeId">The volume id.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the volume is in use.</returns>
    ValueTask<bool> IsVolumeInUseAsync(string volumeId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lock of a scope, under which a holder finds room (evicting) and reserves it: like a fill lease, it runs
    /// out at <paramref name="now"/> + <paramref name="duration"/>, and the holder that holds it takes it again.
    /// </summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="holder">Who takes it.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="duration">How long the lock lasts unless released; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when <paramref name="holder"/> holds the lock now.</returns>
    ValueTask<bool> TryAcquireScopeLockAsync(string scopeKey, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Releases the lock of a scope that <paramref name="holder"/> holds; does nothing when it does not hold it.</summary>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="holder">The holder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the lock is released.</returns>
    ValueTask ReleaseScopeLockAsync(string scopeKey, string holder, CancellationToken cancellationToken);

    /// <summary>
    /// Pins an entry for a clone until <paramref name="now"/> + <paramref name="duration"/>. Fails when the entry is being
    /// removed (a live removal mark) or was retired; a store that holds the entries also fails it when the entry is no
    /// longer stored, in the same atomic step.
    /// </summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="pin">The pin's id: unique per clone.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="duration">How long the pin lasts unless renewed; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the entry is pinned.</returns>
    ValueTask<bool> TryPinEntryAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Extends a pin to <paramref name="now"/> + <paramref name="duration"/>, even on a retired entry.</summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="pin">The pin's id.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="duration">How long the pin lasts from now; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the pin was still recorded.</returns>
    ValueTask<bool> RenewPinAsync(long entryId, string pin, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Releases a pin. When the entry was retired and no other pin of it is live at <paramref name="now"/>, the
    /// retirement ends too and the call returns <see langword="true"/>: the caller then deletes the entry's volume. Of
    /// several callers releasing the last pins at once, exactly one gets <see langword="true"/>.
    /// </summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="pin">The pin's id.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when this was the last live pin of a retired entry.</returns>
    ValueTask<bool> ReleasePinAsync(long entryId, string pin, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Marks an entry as being removed until <paramref name="now"/> + <paramref name="duration"/>, so that it takes no new
    /// pin. Fails when the entry has a live pin, is being removed by another holder, or was retired.
    /// </summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="holder">Who removes it.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="duration">How long the mark lasts unless ended; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when <paramref name="holder"/> may remove the entry.</returns>
    ValueTask<bool> TryBeginRemovalAsync(long entryId, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Ends a removal mark <paramref name="holder"/> set; does nothing when it holds none.</summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="holder">The holder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the mark is gone.</returns>
    ValueTask EndRemovalAsync(long entryId, string holder, CancellationToken cancellationToken);

    /// <summary>
    /// Retires a pinned entry: it takes no new pin, and the release of its last pin returns <see langword="true"/> so that
    /// its releaser deletes <paramref name="volumeId"/>. Fails when the entry has no live pin (then remove it instead), is
    /// being removed, or is retired already; of several callers at once, at most one succeeds.
    /// </summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="volumeId">The entry's cache volume.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when this call retired the entry.</returns>
    ValueTask<bool> TryRetireEntryAsync(long entryId, string volumeId, DateTimeOffset now, CancellationToken cancellationToken);
}
