using ImageVolumeCache.Configuration;

namespace ImageVolumeCache.Caching;

/// <summary>Concurrent misses: the single flight of fills per (scope, image), and the space reserved for fills in progress.</summary>
internal sealed partial class DefaultImageVolumeCache
{
    private readonly SpaceReservations _reservations = new();

    /// <summary>The fills in progress in this process, one per (scope, image).</summary>
    internal CacheFillFlights Fills { get; } = new();

    /// <summary>
    /// EnsureSpace for a fill that is about to make an entry, counting the entries other fills in the scope have reserved,
    /// and reserving room for this one. Returns <see langword="null"/> when there is no room. The caller disposes the
    /// reservation once its entry is recorded (or it gave up).
    /// </summary>
    internal async ValueTask<SpaceReservation?> ReserveSpaceAsync(CacheScope scope, int sizeGb, CancellationToken cancellationToken)
    {
        if (CacheLimits.For(_options.CurrentValue, scope.Backend).Unlimited)
        {
            return _reservations.Reserve(scope.Key, sizeGb);
        }

        SemaphoreSlim gate = _reservations.GateOf(scope.Key);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool room = await EnsureSpaceAsync(scope, sizeGb, _reservations.Of(scope.Key), cancellationToken).ConfigureAwait(false);
            return room ? _reservations.Reserve(scope.Key, sizeGb) : null;
        }
        finally
        {
            gate.Release();
        }
    }
}
