namespace ImageVolumeCache.Caching;

/// <summary>Room for one entry promised to a fill in progress; disposing gives it back (once the entry is recorded, or the fill gave up).</summary>
internal sealed class SpaceReservation(SpaceReservations owner, string scopeKey, int sizeGb) : IDisposable
{
    private int _released;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            owner.Release(scopeKey, sizeGb);
        }
    }
}
