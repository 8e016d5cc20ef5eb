using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Caching;

/// <summary>
/// A fill lease this cache holds in the store's coordination: renewed every third of its duration while the fill runs,
/// confirmed once more before the entry is recorded, released when disposed. A lease that another holder took over is
/// lost: its fill records nothing.
/// </summary>
internal sealed class FillLease : IAsyncDisposable
{
    private readonly ICacheCoordination _coordination;
    private readonly string _scopeKey;
    private readonly string _imageId;
    private readonly string _holder;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _renewal;
    private int _renewing;
    private volatile bool _lost;

    public FillLease(ICacheCoordination coordination, string scopeKey, string imageId, string holder, TimeSpan duration, TimeProvider time, ILogger logger)
    {
        _coordination = coordination;
        _scopeKey = scopeKey;
        _imageId = imageId;
        _holder = holder;
        _duration = duration;
        _time = time;
        _logger = logger;
        TimeSpan period = duration / 3;
        _renewal = time.CreateTimer(static state => ((FillLease)state!).RenewInBackground(), this, period, period);
    }

    /// <summary>Renews the lease now and says whether this cache still holds it.</summary>
    public async ValueTask<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        if (_lost)
        {
            return false;
        }

        bool held = await _coordination.RenewFillLeaseAsync(_scopeKey, _imageId, _holder, _time.GetUtcNow(), _duration, cancellationToken).ConfigureAwait(false);
        _lost |= !held;
        return held;
    }

    public async ValueTask DisposeAsync()
    {
        await _renewal.DisposeAsync().ConfigureAwait(false);
        if (_lost)
        {
            return;
        }

        try
        {
            await _coordination.ReleaseFillLeaseAsync(_scopeKey, _imageId, _holder, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The lease runs out by itself; another holder takes it over then.
            Log.FillLeaseReleaseFailed(_logger, ex, _imageId, _scopeKey);
        }
    }

    private void RenewInBackground()
    {
        if (_lost || Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }

        _ = RenewAsync();
    }

    private async Task RenewAsync()
    {
        try
        {
            await ConfirmAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A store that does not answer now may answer at the next renewal, or the confirmation before recording.
            Log.FillLeaseRenewFailed(_logger, ex, _imageId, _scopeKey);
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }
}
