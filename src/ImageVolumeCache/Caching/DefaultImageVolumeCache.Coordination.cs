using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Coordination with the other processes and hosts that share the store: before it fills, the leader of this process's
/// single flight takes the store's fill lease of (scope, image); while another holder has it, it waits (with backoff,
/// bounded by <see cref="ImageVolumeCacheOptions.FillLeaseWaitTimeout"/>, under its own cancellation) and looks up again,
/// so N requests on several hosts make one fill. This process's waiters stay behind its own leader: they cost no calls.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(1);

    private readonly ICacheCoordination _coordination;

    /// <summary>Who this cache is in the store's coordination: unique per host, process and instance.</summary>
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>
    /// Takes the fill lease, waiting while another holder fills. Returns the lease; or, without one, what the lookups
    /// found meanwhile: the entry the other holder recorded (pinned, a hit), or no fill at all (the wait gave up, or the
    /// store could not be used).
    /// </summary>
    private async ValueTask<(FillLease? Lease, CacheLookup Found)> TakeFillLeaseAsync<TState>(
        CacheScope scope, ImageInfo image, ICacheClient<TState> client, TState state, CancellationToken cancellationToken)
    {
        ImageVolumeCacheOptions options = _options.CurrentValue;
        if (await TryTakeFillLeaseAsync(scope, image, options, cancellationToken).ConfigureAwait(false) is { } taken)
        {
            return taken;
        }

        Log.WaitingForFillElsewhere(_logger, image.Id, scope.Key);
        long started = _time.GetTimestamp();
        client.StepStarted(state, PipelineStep.CacheFillWait, image);
        try
        {
            // Never slower than the holder renews: a lease that ran out is taken over within one renewal period.
            TimeSpan longest = options.FillLeaseDuration / 3 < LongestBackoff ? options.FillLeaseDuration / 3 : LongestBackoff;
            TimeSpan backoff = FirstBackoff;
            while (true)
            {
                if (_time.GetElapsedTime(started) >= options.FillLeaseWaitTimeout)
                {
                    Log.FillElsewhereWaitGaveUp(_logger, image.Id, scope.Key, options.FillLeaseWaitTimeout);
                    return (null, new CacheLookup(null, NoFill: true));
                }

                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                backoff = backoff * 2 < longest ? backoff * 2 : longest;
                CacheLookup lookup = await LookUpAsync(scope, image, cancellationToken).ConfigureAwait(false);
                if (lookup.Lease is not null || lookup.NoFill)
                {
                    return (null, lookup);
                }

                if (await TryTakeFillLeaseAsync(scope, image, options, cancellationToken).ConfigureAwait(false) is { } retaken)
                {
                    return retaken;
                }
            }
        }
        finally
        {
            client.StepFinished(state, PipelineStep.CacheFillWait, started);
        }
    }

    /// <summary>
    /// One attempt at the lease: the lease, <see langword="null"/> when another holder has it, or no fill when the store
    /// cannot be used. With the lease in hand it looks up once more: the last lookup came before the attempt, and in
    /// between another holder may have recorded its entry and released the lease; filling again would download the image
    /// twice and lose the race to record it. The entry found (pinned), or no fill at all, gives the lease back.
    /// </summary>
    private async ValueTask<(FillLease? Lease, CacheLookup Found)?> TryTakeFillLeaseAsync(
        CacheScope scope, ImageInfo image, ImageVolumeCacheOptions options, CancellationToken cancellationToken)
    {
        bool taken;
        try
        {
            taken = await _coordination.TryAcquireFillLeaseAsync(scope.Key, image.Id, _holder, _time.GetUtcNow(), options.FillLeaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.StoreUnavailable(_logger, ex, image.Id, scope.Key);
            return (null, new CacheLookup(null, NoFill: true));
        }

        if (!taken)
        {
            return null;
        }

        var lease = new FillLease(_coordination, scope.Key, image.Id, _holder, options.FillLeaseDuration, _time, _logger);
        CacheLookup lookup;
        try
        {
            lookup = await LookUpAsync(scope, image, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (lookup.Lease is null && !lookup.NoFill)
        {
            return (lease, default);
        }

        await lease.DisposeAsync().ConfigureAwait(false);
        return (null, lookup);
    }
}
