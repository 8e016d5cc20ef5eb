using System.Collections.Concurrent;
using System.Globalization;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// Reconciliation: a backend's entries against the volumes its driver lists, after a restart or a crash; and the
/// registry of cache volumes this process is still filling, which reconciliation never touches.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    private readonly ConcurrentDictionary<string, byte> _underConstruction = new(StringComparer.Ordinal);

    /// <summary>Marks a cache volume as being made and filled by this process; call before the driver makes it.</summary>
    internal void BeginCacheVolume(string volumeId) => _underConstruction.TryAdd(volumeId, 0);

    /// <summary>Clears the mark once the volume's entry is recorded or the volume deleted.</summary>
    internal void EndCacheVolume(string volumeId) => _underConstruction.TryRemove(volumeId, out _);

    public async ValueTask<ReconciliationResult> ReconcileAsync(string backend, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        IVolumeDriver driver = _backends.GetDriver(backend);
        var run = new ReconciliationRun(backend, driver);
        if (!IsEnabled(backend))
        {
            return run.ToResult();
        }

        // Volumes are listed before entries, and the volumes being filled are noted between the two: a cache volume
        // is marked before it is made and unmarked only after its entry is recorded, so a volume in the listing that
        // has no entry in the (later) entry list was either left behind or was being filled at the moment of the note.
        IReadOnlyList<BackendVolume> listed = await driver.ListVolumesAsync(cancellationToken).ConfigureAwait(false);
        HashSet<string> filling = [.. _underConstruction.Keys];
        IReadOnlyList<ImageCacheEntry> all = await ListEntriesAsync(cancellationToken).ConfigureAwait(false);
        var entries = all.Where(e => Manages(backend, e.Scope)).ToList();

        // An entry whose volume exists but is not its cache volume (a user's volume, another image's) is dropped first,
        // and its volume left alone: from then on it is neither cloned from nor deleted.
        var listedById = listed.ToDictionary(v => v.Spec.Id, StringComparer.Ordinal);
        foreach (ImageCacheEntry entry in entries)
        {
            if (listedById.TryGetValue(entry.VolumeId, out BackendVolume? volume) && Check(entry, volume.Spec) == CacheVolumeCheck.Untrusted)
            {
                await DropUntrustedEntryAsync(run, entry).ConfigureAwait(false);
            }
        }

        var entryVolumeIds = all.Select(e => e.VolumeId).ToHashSet(StringComparer.Ordinal);
        var lost = entries.Where(e => !listedById.ContainsKey(e.VolumeId)).ToList();
        var orphans = listed.Where(v => IsCacheVolume(v.Spec) && !entryVolumeIds.Contains(v.Spec.Id)).ToList();
        if (lost.Count > 0 || orphans.Count > 0)
        {
            // A second listing, after the entries were read, tells a volume that is really gone from one made while the
            // first listing ran, and drops orphans that were deleted in the meantime (by an eviction, say).
            IReadOnlyList<BackendVolume> relisted = await driver.ListVolumesAsync(cancellationToken).ConfigureAwait(false);
            var current = relisted.ToDictionary(v => v.Spec.Id, StringComparer.Ordinal);
            foreach (ImageCacheEntry entry in lost.Where(e => !current.ContainsKey(e.VolumeId)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await RemoveLostEntryAsync(run, entry).ConfigureAwait(false);
            }

            foreach (BackendVolume orphan in orphans)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string id = orphan.Spec.Id;
                if (filling.Contains(id) || _underConstruction.ContainsKey(id))
                {
                    Log.ReconcileVolumeUnderConstruction(_logger, id);
                    run.Skipped++;
                }
                else if (await IsInUseElsewhereAsync(id, backend, cancellationToken).ConfigureAwait(false))
                {
                    Log.ReconcileVolumeInUseElsewhere(_logger, id);
                    run.Skipped++;
                }
                else if (current.TryGetValue(id, out BackendVolume? volume))
                {
                    await ReconcileOrphanAsync(run, volume, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        // The gauges learn the totals of every scope the backend has entries in (after a restart, the entries this
        // process has not touched yet) and of every scope an adoption added to.
        foreach (CacheScope scope in entries.Select(e => e.Scope).Concat(run.AdoptedScopes).DistinctBy(s => s.Key, StringComparer.Ordinal))
        {
            await RefreshTotalsAsync(scope, cancellationToken).ConfigureAwait(false);
        }

        run.Quarantined = TakeQuarantinedCount();
        ReconciliationResult result = run.ToResult();
        Log.Reconciled(_logger, backend, result.EntriesRemoved, result.VolumesAdopted, result.VolumesDeleted, result.VolumesSkipped, result.Failures);
        return result;
    }

    /// <summary>
    /// Whether another process or host may still be using a cache volume without an entry: filling it under a live fill
    /// lease, or cloning from it as a retired entry. A store that cannot say is taken to say yes: the volume waits for the
    /// next reconciliation rather than being deleted under a live fill.
    /// </summary>
    private async ValueTask<bool> IsInUseElsewhereAsync(string volumeId, string backend, CancellationToken cancellationToken)
    {
        try
        {
            return await _coordination.IsVolumeInUseAsync(volumeId, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (CacheEntryStoreException ex)
        {
            Log.ReconcileVolumeFailed(_logger, ex, volumeId, backend);
            return true;
        }
    }

    /// <summary>A volume of the internal tenant that carries the cache mark.</summary>
    private bool IsCacheVolume(VolumeSpec volume)
    {
        InternalTenantOptions tenant = _tenant.Tenant;
        return volume.Metadata.TryGetValue(CacheVolumeMetadata.CacheVolume, out string? mark)
            && string.Equals(mark, "true", StringComparison.OrdinalIgnoreCase)
            && string.Equals(volume.ProjectId, tenant.ProjectId, StringComparison.Ordinal)
            && string.Equals(volume.UserId, tenant.UserId, StringComparison.Ordinal);
    }

    /// <summary>Lists every entry; rows the store quarantines on the way are counted and the listing made again.</summary>
    private ValueTask<IReadOnlyList<ImageCacheEntry>> ListEntriesAsync(CancellationToken cancellationToken) =>
        RetryQuarantinedAsync(0, static (store, _, ct) => store.ListAsync(null, ct), cancellationToken);

    private async ValueTask DropUntrustedEntryAsync(ReconciliationRun run, ImageCacheEntry entry)
    {
        if (!await TryBeginRemovalAsync(entry).ConfigureAwait(false))
        {
            Log.ReconcileEntryInUse(_logger, entry.Id, entry.VolumeId);
            return;
        }

        try
        {
            if (await RemoveEntryAsync(entry, EvictionReason.Untrusted).ConfigureAwait(false))
            {
                run.Untrusted++;
            }
        }
        finally
        {
            await EndRemovalAsync(entry).ConfigureAwait(false);
        }
    }

    private async ValueTask RemoveLostEntryAsync(ReconciliationRun run, ImageCacheEntry entry)
    {
        if (!await TryBeginRemovalAsync(entry).ConfigureAwait(false))
        {
            Log.ReconcileEntryInUse(_logger, entry.Id, entry.VolumeId);
            return;
        }

        try
        {
            Log.ReconcileEntryWithoutVolume(_logger, entry.Id, entry.ImageId, entry.ScopeKey, entry.VolumeId, run.Backend);
            if (await RemoveEntryAsync(entry, EvictionReason.VolumeMissing).ConfigureAwait(false))
            {
                run.EntriesRemoved++;
            }
        }
        finally
        {
            await EndRemovalAsync(entry).ConfigureAwait(false);
        }
    }

    /// <summary>Adopts a cache volume left without an entry, or deletes it; an image service failure leaves it for next time.</summary>
    private async ValueTask ReconcileOrphanAsync(ReconciliationRun run, BackendVolume orphan, CancellationToken cancellationToken)
    {
        VolumeSpec spec = orphan.Spec;
        try
        {
            // Another process sharing the store may have recorded it since the entries were read.
            if (await _store.FindByVolumeIdAsync(spec.Id, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }

            (ImageInfo? image, string? refusal) = await CheckAdoptableAsync(orphan, cancellationToken).ConfigureAwait(false);
            if (image is not null)
            {
                DateTimeOffset now = _time.GetUtcNow();
                CacheScope scope = spec.Scope;
                var entry = new ImageCacheEntry(0, scope.Key, spec.Host, spec.Cluster, image.Id, image.UpdatedAt, spec.Id, spec.SizeGb, now, now);
                ImageCacheEntry? stored = await _store.TryAddAsync(entry, cancellationToken).ConfigureAwait(false);
                if (stored is not null)
                {
                    Log.ReconcileVolumeAdopted(_logger, spec.Id, image.Id, spec.SizeGb, stored.Id, scope.Key);
                    run.Adopted++;
                    run.AdoptedScopes.Add(scope);
                    return;
                }

                refusal = "the scope already has an entry for its image";
            }

            await run.Driver.DeleteVolumeAsync(spec.Id, CancellationToken.None).ConfigureAwait(false);
            Log.ReconcileVolumeDeleted(_logger, spec.Id, run.Backend, refusal!);
            run.Deleted++;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not CacheEntryStoreException)
        {
            Log.ReconcileVolumeFailed(_logger, ex, spec.Id, run.Backend);
            run.Failures++;
        }
    }

    /// <summary>
    /// Returns the image when the volume can become an entry: its data is complete and the image, as the internal
    /// tenant sees it now, has the version the volume was filled from. Otherwise returns why it is deleted. Throws when
    /// the image service fails, so that a good volume is not deleted because of an outage.
    /// </summary>
    private async ValueTask<(ImageInfo? Image, string? Refusal)> CheckAdoptableAsync(BackendVolume volume, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string> metadata = volume.Spec.Metadata;
        if (!volume.ImageDataComplete)
        {
            return (null, "its image data is incomplete");
        }

        if (!metadata.TryGetValue(CacheVolumeMetadata.ImageId, out string? imageId) || string.IsNullOrEmpty(imageId)
            || !metadata.TryGetValue(CacheVolumeMetadata.ImageUpdatedAt, out string? updatedText)
            || !DateTimeOffset.TryParseExact(updatedText, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset filledFrom))
        {
            return (null, "its cache metadata does not name the image and version");
        }

        if (_images is null)
        {
            return (null, "no image service is registered to check its image");
        }

        InternalTenantOptions tenant = _tenant.Tenant;
        ImageInfo image;
        try
        {
            image = await _images.GetImageAsync(new RequestContext(tenant.ProjectId!, tenant.UserId!), imageId, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageNotFoundException)
        {
            return (null, $"image {imageId} no longer exists or the internal tenant cannot see it");
        }

        return image.UpdatedAt.UtcTicks == filledFrom.UtcTicks
            ? (image, null)
            : (null, $"image {imageId} changed since the volume was filled");
    }

    /// <summary>The tallies of one reconciliation.</summary>
    private sealed class ReconciliationRun(string backend, IVolumeDriver driver)
    {
        public string Backend { get; } = backend;

        public IVolumeDriver Driver { get; } = driver;

        public int EntriesRemoved { get; set; }

        public int Adopted { get; set; }

        public int Deleted { get; set; }

        public int Skipped { get; set; }

        public int Failures { get; set; }

        public int Untrusted { get; set; }

        public int Quarantined { get; set; }

        public List<CacheScope> AdoptedScopes { get; } = [];

        public ReconciliationResult ToResult() => new(Backend, EntriesRemoved, Adopted, Deleted, Skipped, Failures)
        {
            EntriesUntrusted = Untrusted,
            EntriesQuarantined = Quarantined,
        };
    }
}
