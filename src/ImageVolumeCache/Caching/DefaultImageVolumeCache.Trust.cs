using System.Collections.Concurrent;
using System.Globalization;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// The trust boundary between entries and volumes: an entry is only a claim, read from a store that another process or
/// an operator may have written, so the volume it names is checked against the backend before the cache clones from it
/// or deletes it. A volume passes when it is a cache volume of the internal tenant holding the entry's image and version.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    /// <summary>
    /// Entries whose volume this process made or checked, by entry id, with what was checked (volume, image and version):
    /// a row changed in the store in any of them is checked again.
    /// </summary>
    private readonly ConcurrentDictionary<long, TrustedClaim> _trusted = new();

    /// <summary>Notes that this process made the entry's volume itself, so the entry needs no check.</summary>
    private void Trust(ImageCacheEntry entry) => _trusted[entry.Id] = TrustedClaim.Of(entry);

    private void Forget(ImageCacheEntry entry) => _trusted.TryRemove(new KeyValuePair<long, TrustedClaim>(entry.Id, TrustedClaim.Of(entry)));

    /// <summary>
    /// Checks the entry's volume with the backend, once per entry and volume in this process. A driver failure is thrown
    /// (the caller treats the volume as unusable for now, and keeps the entry).
    /// </summary>
    private async ValueTask<CacheVolumeCheck> CheckVolumeAsync(ImageCacheEntry entry, CancellationToken cancellationToken)
    {
        if (_trusted.TryGetValue(entry.Id, out TrustedClaim checkedClaim) && checkedClaim == TrustedClaim.Of(entry))
        {
            return CacheVolumeCheck.Trusted;
        }

        IVolumeDriver driver = DriverFor(entry.Scope);
        BackendVolume? volume = await driver.GetVolumeAsync(entry.VolumeId, cancellationToken).ConfigureAwait(false);
        CacheVolumeCheck check = volume is null ? CacheVolumeCheck.Missing : Check(entry, volume.Spec);
        if (check == CacheVolumeCheck.Trusted)
        {
            Trust(entry);
        }

        return check;
    }

    /// <summary>Checks an entry's volume against the spec a driver reports for it.</summary>
    private CacheVolumeCheck Check(ImageCacheEntry entry, VolumeSpec volume)
    {
        IReadOnlyDictionary<string, string> metadata = volume.Metadata;
        bool holdsTheImage = IsCacheVolume(volume)
            && string.Equals(volume.Id, entry.VolumeId, StringComparison.Ordinal)
            && metadata.TryGetValue(CacheVolumeMetadata.ImageId, out string? imageId)
            && string.Equals(imageId, entry.ImageId, StringComparison.Ordinal)
            && metadata.TryGetValue(CacheVolumeMetadata.ImageUpdatedAt, out string? updatedText)
            && DateTimeOffset.TryParseExact(updatedText, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset filledFrom)
            && filledFrom.UtcTicks == entry.ImageUpdatedAt.UtcTicks;
        if (holdsTheImage)
        {
            return CacheVolumeCheck.Trusted;
        }

        Log.CacheEntryUntrusted(_logger, entry.Id, entry.ImageId, entry.ScopeKey, entry.VolumeId, volume.ProjectId);
        return CacheVolumeCheck.Untrusted;
    }

    /// <summary>How many times a store call is made when each attempt quarantines rows; more means the store keeps failing.</summary>
    private const int MaxQuarantineRetries = 4;

    private int _quarantined;

    /// <summary>Logs the rows a store call quarantined and counts them for the next reconciliation's result.</summary>
    private void NoteQuarantined(CacheEntryStoreException exception)
    {
        Interlocked.Add(ref _quarantined, exception.QuarantinedEntryIds.Count);
        Log.CacheEntriesQuarantined(_logger, exception, string.Join(", ", exception.QuarantinedEntryIds));
    }

    /// <summary>
    /// Makes a store call, and makes it again when the store quarantined rows as it read them (logged and counted), so
    /// that a bad row never blocks the call; at most <see cref="MaxQuarantineRetries"/> times.
    /// </summary>
    private async ValueTask<T> RetryQuarantinedAsync<TState, T>(
        TState state, Func<ICacheEntryStore, TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(_store, state, cancellationToken).ConfigureAwait(false);
            }
            catch (CacheEntryStoreException ex) when (ex.QuarantinedEntryIds.Count > 0 && attempt < MaxQuarantineRetries)
            {
                NoteQuarantined(ex);
            }
        }
    }

    /// <summary>Takes the count of rows quarantined since the last call.</summary>
    private int TakeQuarantinedCount() => Interlocked.Exchange(ref _quarantined, 0);

    /// <summary>What a trusted entry claimed when it was checked.</summary>
    private readonly record struct TrustedClaim(string VolumeId, string ImageId, long ImageUpdatedAtUtcTicks)
    {
        public static TrustedClaim Of(ImageCacheEntry entry) => new(entry.VolumeId, entry.ImageId, entry.ImageUpdatedAt.UtcTicks);
    }
}
