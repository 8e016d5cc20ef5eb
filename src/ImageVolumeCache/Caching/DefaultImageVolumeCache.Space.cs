using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Room for new entries: EnsureSpace (evicting least recently used entries until the limits allow one more), and the
/// room reserved for fills in progress, so that fills of different images in one scope stay within the limits together.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    private readonly SpaceReservations _reservations = new();

    /// <summary>EnsureSpace as Cinder has it, without counting fills in progress: for tests and tools, never for a fill.</summary>
    internal ValueTask<bool> EnsureSpaceAsync(CacheScope scope, int sizeGb, CancellationToken cancellationToken) =>
        EnsureSpaceAsync(scope, sizeGb, reserved: default, cancellationToken);

    /// <summary>
    /// EnsureSpace counting <paramref name="reserved"/> (room promised to fills in progress) as if its entries were there.
    /// A size of 0 is taken as Cinder takes it: an entry that adds to the count but not to the size.
    /// </summary>
    private async ValueTask<bool> EnsureSpaceAsync(CacheScope scope, int sizeGb, CacheScopeTotals reserved, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeGb);
        CacheLimits limits = CacheLimits.For(_options.CurrentValue, scope.Backend);
        if (limits.Unlimited)
        {
            return true;
        }

        if (limits.MaxSizeGb > 0 && sizeGb > limits.MaxSizeGb)
        {
            Log.EntryTooLargeForCache(_logger, sizeGb, scope.Key, limits.MaxSizeGb);
            return false;
        }

        CacheScopeTotals stored = await EvictUntilAsync(scope, t => limits.Fits(With(t, reserved), sizeGb), EvictionReason.Space, cancellationToken).ConfigureAwait(false);
        CacheScopeTotals totals = With(stored, reserved);
        if (limits.Fits(totals, sizeGb))
        {
            return true;
        }

        Log.CacheFull(_logger, scope.Key, sizeGb, totals.Count, totals.SizeGb, limits.MaxCount, limits.MaxSizeGb);
        return false;
    }

    private static CacheScopeTotals With(CacheScopeTotals totals, CacheScopeTotals reserved) =>
        new(totals.Count + reserved.Count, totals.SizeGb + reserved.SizeGb);

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
