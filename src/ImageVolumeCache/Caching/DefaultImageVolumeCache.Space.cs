using System.Collections.Concurrent;
using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Room for new entries: EnsureSpace (evicting least recently used entries until the limits allow one more), and the
/// room reserved for fills in progress on every process and host, so that fills of different images in one scope stay
/// within the limits together. Room is found and reserved by one fill at a time per scope: behind this process's gate of
/// the scope, then under the scope's lock in the store's coordination; neither is held during a download.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    private static readonly TimeSpan LongestScopeLockBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _scopeGates = new(StringComparer.Ordinal);

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
    /// EnsureSpace for a fill that is about to make <paramref name="volumeId"/>, counting the room other fills in the scope
    /// (on any host) have reserved, and reserving room for this one on its fill lease, which also marks the volume as in
    /// progress for every host's reconciliation. The reservation ends with the fill lease, after the entry is recorded.
    /// Returns <see langword="false"/> when there is no room, the scope stayed locked too long, or the fill lease was lost.
    /// </summary>
    internal async ValueTask<bool> ReserveSpaceAsync(CacheScope scope, ImageInfo image, string volumeId, int sizeGb, CancellationToken cancellationToken)
    {
        if (CacheLimits.For(_options.CurrentValue, scope.Backend).Unlimited)
        {
            return await _coordination.ReserveSpaceAsync(scope.Key, image.Id, _holder, volumeId, sizeGb, cancellationToken).ConfigureAwait(false);
        }

        SemaphoreSlim gate = _scopeGates.GetOrAdd(scope.Key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!await TakeScopeLockAsync(scope, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            try
            {
                CacheScopeTotals reserved = await _coordination.GetReservedSpaceAsync(scope.Key, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return await EnsureSpaceAsync(scope, sizeGb, reserved, cancellationToken).ConfigureAwait(false)
                    && await _coordination.ReserveSpaceAsync(scope.Key, image.Id, _holder, volumeId, sizeGb, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await ReleaseScopeLockAsync(scope).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Takes the scope's lock, waiting with backoff while another process or host holds it, at most <see cref="ImageVolumeCacheOptions.FillLeaseWaitTimeout"/>.</summary>
    private async ValueTask<bool> TakeScopeLockAsync(CacheScope scope, CancellationToken cancellationToken)
    {
        ImageVolumeCacheOptions options = _options.CurrentValue;
        long started = _time.GetTimestamp();
        TimeSpan backoff = FirstBackoff / 4;
        while (!await _coordination.TryAcquireScopeLockAsync(scope.Key, _holder, _time.GetUtcNow(), options.FillLeaseDuration, cancellationToken).ConfigureAwait(false))
        {
            if (_time.GetElapsedTime(started) >= options.FillLeaseWaitTimeout)
            {
                Log.ScopeLockWaitGaveUp(_logger, scope.Key, options.FillLeaseWaitTimeout);
                return false;
            }

            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            backoff = backoff * 2 < LongestScopeLockBackoff ? backoff * 2 : LongestScopeLockBackoff;
        }

        return true;
    }

    private async ValueTask ReleaseScopeLockAsync(CacheScope scope)
    {
        try
        {
            await _coordination.ReleaseScopeLockAsync(scope.Key, _holder, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ScopeLockReleaseFailed(_logger, ex, scope.Key);
        }
    }
}
