using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Diagnostics;

/// <summary>
/// Every log message of the core package, source-generated. Event ids 1000-1999 belong to this package and never change
/// meaning once shipped.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Warning, "The image-volume cache is off for every backend: the internal tenant ({ProjectIdKey} and {UserIdKey}) is not configured. Volumes are made by download.")]
    public static partial void CacheDisabledNoInternalTenant(ILogger logger, string projectIdKey, string userIdKey);

    [LoggerMessage(1001, LogLevel.Debug, "Cache hit for image {ImageId} in scope {Scope}: entry {EntryId}, volume {VolumeId}.")]
    public static partial void CacheHit(ILogger logger, string imageId, string scope, long entryId, string volumeId);

    [LoggerMessage(1002, LogLevel.Debug, "Cache miss for image {ImageId} in scope {Scope}.")]
    public static partial void CacheMiss(ILogger logger, string imageId, string scope);

    [LoggerMessage(1003, LogLevel.Information, "Cache entry {EntryId} for image {ImageId} in scope {Scope} is stale (cached {CachedUpdatedAt:O}, image {ImageUpdatedAt:O}); evicting it.")]
    public static partial void CacheEntryStale(ILogger logger, long entryId, string imageId, string scope, DateTimeOffset cachedUpdatedAt, DateTimeOffset imageUpdatedAt);

    [LoggerMessage(1004, LogLevel.Information, "Evicted cache entry {EntryId} (image {ImageId}, volume {VolumeId}, {SizeGb} GB) from scope {Scope}: {Reason}.")]
    public static partial void CacheEntryEvicted(ILogger logger, long entryId, string imageId, string volumeId, int sizeGb, string scope, EvictionReason reason);

    [LoggerMessage(1005, LogLevel.Information, "A new entry of {SizeGb} GB is larger than the whole cache of scope {Scope} ({MaxSizeGb} GB); it is not cached and nothing is evicted.")]
    public static partial void EntryTooLargeForCache(ILogger logger, int sizeGb, string scope, int maxSizeGb);

    [LoggerMessage(1006, LogLevel.Warning, "Making a cache entry for image {ImageId} in scope {Scope} failed; the volume is made by download instead.")]
    public static partial void CacheEntryCreationFailed(ILogger logger, Exception exception, string imageId, string scope);

    [LoggerMessage(1007, LogLevel.Debug, "Cache entry {EntryId} (volume {VolumeId}) is in use; eviction skips it.")]
    public static partial void EvictionSkippedInUse(ILogger logger, long entryId, string volumeId);

    [LoggerMessage(1008, LogLevel.Error, "Cache volume {VolumeId} of entry {EntryId} could not be deleted; the entry is kept.")]
    public static partial void CacheVolumeDeleteFailed(ILogger logger, Exception exception, string volumeId, long entryId);

    [LoggerMessage(1009, LogLevel.Information, "No room in the cache of scope {Scope} for {SizeGb} GB (holding {Count} entries, {TotalGb} GB; limits {MaxCount} entries, {MaxSizeGb} GB).")]
    public static partial void CacheFull(ILogger logger, string scope, int sizeGb, int count, long totalGb, int maxCount, int maxSizeGb);

    [LoggerMessage(1010, LogLevel.Information, "Created cache entry {EntryId} for image {ImageId} in scope {Scope}: volume {VolumeId}, {SizeGb} GB.")]
    public static partial void CacheEntryCreated(ILogger logger, long entryId, string imageId, string scope, string volumeId, int sizeGb);

    [LoggerMessage(1011, LogLevel.Error, "Cleaning up volume {VolumeId} failed; it may be left on backend {Backend} and need deleting by hand.")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string volumeId, string backend);

    [LoggerMessage(1012, LogLevel.Warning, "The cache notifier failed to publish {EventType} for image {ImageId}.")]
    public static partial void NotifierFailed(ILogger logger, Exception exception, string eventType, string imageId);

    [LoggerMessage(1013, LogLevel.Information, "Notification {EventType}: image {ImageId}, host {Host}, cluster {Cluster}.")]
    public static partial void Notification(ILogger logger, string eventType, string imageId, string host, string? cluster);

    [LoggerMessage(1014, LogLevel.Warning, "Cache volume {VolumeId} of entry {EntryId} reached its clone limit; evicting the entry and retrying as a miss.")]
    public static partial void CloneLimitReached(ILogger logger, string volumeId, long entryId);

    [LoggerMessage(1015, LogLevel.Warning, "Cache volume {VolumeId} of entry {EntryId} is missing on its backend; removing the entry and retrying as a miss.")]
    public static partial void CacheVolumeMissing(ILogger logger, string volumeId, long entryId);

    [LoggerMessage(1016, LogLevel.Information, "Another request recorded an entry for image {ImageId} in scope {Scope} first; cache volume {VolumeId} is not kept.")]
    public static partial void CacheEntryLostRace(ILogger logger, string imageId, string scope, string volumeId);

    [LoggerMessage(1017, LogLevel.Information, "Stale cache entry {EntryId} for image {ImageId} could not be evicted now (in use, or its volume could not be deleted); this request does not cache the new version.")]
    public static partial void StaleEntryInUse(ILogger logger, long entryId, string imageId);

    [LoggerMessage(1018, LogLevel.Information, "Volume {VolumeId} made from image {ImageId} on {Host} by {Path} in {ElapsedMs:F1} ms.")]
    public static partial void VolumeCreated(ILogger logger, string volumeId, string imageId, string host, CreateFromImagePath path, double elapsedMs);

    [LoggerMessage(1019, LogLevel.Warning, "Cloning image-volume {SourceVolumeId} for image {ImageId} failed; trying the next way.")]
    public static partial void ImageVolumeCloneFailed(ILogger logger, Exception exception, string sourceVolumeId, string imageId);

    [LoggerMessage(1020, LogLevel.Information, "Stale cache entry {EntryId} for image {ImageId} is in use; the entry is removed now and its volume {VolumeId} is deleted when the last clone from it finishes.")]
    public static partial void StaleEntryRetired(ILogger logger, long entryId, string imageId, string volumeId);

    [LoggerMessage(1021, LogLevel.Information, "Deleted volume {VolumeId} of retired cache entry {EntryId} after its last clone.")]
    public static partial void RetiredVolumeDeleted(ILogger logger, string volumeId, long entryId);

    [LoggerMessage(1022, LogLevel.Error, "Volume {VolumeId} of retired cache entry {EntryId} could not be deleted after its last clone; it is left on backend {Backend} and needs deleting by hand.")]
    public static partial void RetiredVolumeDeleteFailed(ILogger logger, Exception exception, string volumeId, long entryId, string backend);

    [LoggerMessage(1023, LogLevel.Warning, "The download of image {ImageId} into {Destination} stalled (no data for {StallTimeout}); retrying from the start ({Retry} of {Retries}).")]
    public static partial void DownloadStalledRetrying(ILogger logger, string imageId, string destination, TimeSpan stallTimeout, int retry, int retries);

    [LoggerMessage(1024, LogLevel.Error, "The download of image {ImageId} into {Destination} stalled (no data for {StallTimeout}) on each of {Attempts} attempts; giving up.")]
    public static partial void DownloadStalledGivingUp(ILogger logger, string imageId, string destination, TimeSpan stallTimeout, int attempts);

    [LoggerMessage(1120, LogLevel.Warning, "The download of image {ImageId} into {Destination} cannot be continued where it stopped; it is started over from its first byte (retry {Retry} of {Retries}).")]
    public static partial void DownloadRestarting(ILogger logger, string imageId, string destination, int retry, int retries);

    [LoggerMessage(1121, LogLevel.Warning, "Image {ImageId} changed while volume {VolumeId} was being made from it; the request starts over with the new version (retry {Retry} of {Retries}).")]
    public static partial void ImageChangedRestarting(ILogger logger, string imageId, string volumeId, int retry, int retries);

    [LoggerMessage(1025, LogLevel.Debug, "Image {ImageId} in scope {Scope} is being cached by another request; waiting for it.")]
    public static partial void WaitingForCacheFill(ILogger logger, string imageId, string scope);

    [LoggerMessage(1026, LogLevel.Debug, "The request that was caching image {ImageId} in scope {Scope} made no entry; downloading into volume {VolumeId} instead.")]
    public static partial void CacheFillMadeNoEntry(ILogger logger, string imageId, string scope, string volumeId);

    [LoggerMessage(1027, LogLevel.Information, "Cache entry {EntryId} for image {ImageId} (volume {VolumeId}) was evicted by another request before this one could clone from it; downloading instead.")]
    public static partial void NewCacheEntryEvicted(ILogger logger, long entryId, string imageId, string volumeId);

    [LoggerMessage(1030, LogLevel.Warning, "Cache entry {EntryId} (image {ImageId}, scope {Scope}) points at volume {VolumeId}, which backend {Backend} no longer holds; removing the entry.")]
    public static partial void ReconcileEntryWithoutVolume(ILogger logger, long entryId, string imageId, string scope, string volumeId, string backend);

    [LoggerMessage(1031, LogLevel.Information, "Adopted cache volume {VolumeId} (image {ImageId}, {SizeGb} GB), left without an entry, as entry {EntryId} of scope {Scope}.")]
    public static partial void ReconcileVolumeAdopted(ILogger logger, string volumeId, string imageId, int sizeGb, long entryId, string scope);

    [LoggerMessage(1032, LogLevel.Information, "Deleted cache volume {VolumeId} on backend {Backend}, left without an entry: {Reason}.")]
    public static partial void ReconcileVolumeDeleted(ILogger logger, string volumeId, string backend, string reason);

    [LoggerMessage(1033, LogLevel.Debug, "Cache volume {VolumeId} has no entry yet because this process is still filling it; reconciliation leaves it alone.")]
    public static partial void ReconcileVolumeUnderConstruction(ILogger logger, string volumeId);

    [LoggerMessage(1034, LogLevel.Error, "Reconciling cache volume {VolumeId} on backend {Backend} failed; the next reconciliation tries again.")]
    public static partial void ReconcileVolumeFailed(ILogger logger, Exception exception, string volumeId, string backend);

    [LoggerMessage(1035, LogLevel.Information, "Reconciled backend {Backend}: {EntriesRemoved} entries of lost volumes removed, {VolumesAdopted} volumes adopted, {VolumesDeleted} deleted, {VolumesSkipped} being filled, {Failures} failures.")]
    public static partial void Reconciled(ILogger logger, string backend, int entriesRemoved, int volumesAdopted, int volumesDeleted, int volumesSkipped, int failures);

    [LoggerMessage(1036, LogLevel.Error, "Reconciling backend {Backend} at start-up failed; the host starts anyway and its entries are checked as they are used.")]
    public static partial void ReconcileBackendFailed(ILogger logger, Exception exception, string backend);

    [LoggerMessage(1037, LogLevel.Debug, "Cache entry {EntryId} (volume {VolumeId}) is in use or being evicted; reconciliation leaves it alone.")]
    public static partial void ReconcileEntryInUse(ILogger logger, long entryId, string volumeId);

    [LoggerMessage(1040, LogLevel.Warning, "Reading the totals of scope {Scope} from the entry store for the cache gauges failed; the gauges keep the figures read before.")]
    public static partial void ScopeTotalsRefreshFailed(ILogger logger, Exception exception, string scope);

    [LoggerMessage(1060, LogLevel.Error, "Cache entry {EntryId} (image {ImageId}, scope {Scope}) points at volume {VolumeId}, which is not a cache volume of the internal tenant holding that image and version (its owner: {Owner}); the entry is dropped and the volume left alone.")]
    public static partial void CacheEntryUntrusted(ILogger logger, long entryId, string imageId, string scope, string volumeId, string owner);

    [LoggerMessage(1061, LogLevel.Error, "The entry store quarantined entries {EntryIds}, whose stored values are out of range; they are out of service and their volumes are left to reconciliation.")]
    public static partial void CacheEntriesQuarantined(ILogger logger, Exception exception, string entryIds);

    [LoggerMessage(1062, LogLevel.Warning, "Cloning cache volume {VolumeId} of entry {EntryId} into volume {TargetId} failed; image {ImageId} is downloaded into it instead.")]
    public static partial void CacheCloneFailed(ILogger logger, Exception exception, string volumeId, long entryId, string targetId, string imageId);

    [LoggerMessage(1063, LogLevel.Warning, "Location {Location} of image {ImageId} is not used for an image-volume clone: {Reason}.")]
    public static partial void ImageVolumeLocationSkipped(ILogger logger, string location, string imageId, string reason);

    [LoggerMessage(1050, LogLevel.Warning, "Configuration key {Key} is not a known key of the image-volume cache (known here: {KnownKeys}); it is ignored.")]
    public static partial void UnknownConfigurationKey(ILogger logger, string key, string knownKeys);

    [LoggerMessage(1064, LogLevel.Warning, "The entry store could not be used for image {ImageId} in scope {Scope}; the volume is made without the cache, and the next request tries the store again.")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string imageId, string scope);

    [LoggerMessage(1065, LogLevel.Warning, "Checking cache volume {VolumeId} of entry {EntryId} with its backend failed; the entry is kept and the volume is made without the cache.")]
    public static partial void CacheVolumeCheckFailed(ILogger logger, Exception exception, string volumeId, long entryId);

    [LoggerMessage(1066, LogLevel.Warning, "Renewing the fill lease of image {ImageId} in scope {Scope} failed; it is tried again.")]
    public static partial void FillLeaseRenewFailed(ILogger logger, Exception exception, string imageId, string scope);

    [LoggerMessage(1067, LogLevel.Warning, "Releasing the fill lease of image {ImageId} in scope {Scope} failed; it runs out by itself.")]
    public static partial void FillLeaseReleaseFailed(ILogger logger, Exception exception, string imageId, string scope);

    [LoggerMessage(1068, LogLevel.Debug, "Image {ImageId} in scope {Scope} is being cached by another process or host; waiting for it.")]
    public static partial void WaitingForFillElsewhere(ILogger logger, string imageId, string scope);

    [LoggerMessage(1069, LogLevel.Warning, "Image {ImageId} in scope {Scope} was still being cached by another process or host after {Timeout}; the volume is made without the cache.")]
    public static partial void FillElsewhereWaitGaveUp(ILogger logger, string imageId, string scope, TimeSpan timeout);

    [LoggerMessage(1070, LogLevel.Warning, "The fill lease of image {ImageId} in scope {Scope} was taken over while this host filled cache volume {VolumeId}; its entry is not recorded and the volume is deleted.")]
    public static partial void FillLeaseLost(ILogger logger, string imageId, string scope, string volumeId);

    [LoggerMessage(1071, LogLevel.Debug, "Entry {EntryId} (volume {VolumeId}) could not be pinned: another process or host is removing or has retired it.")]
    public static partial void EntryPinRefused(ILogger logger, long entryId, string volumeId);

    [LoggerMessage(1072, LogLevel.Warning, "The pin on entry {EntryId} (volume {VolumeId}) ran out before the clone ended; another host may evict the entry.")]
    public static partial void EntryPinLost(ILogger logger, long entryId, string volumeId);

    [LoggerMessage(1073, LogLevel.Warning, "Renewing the pin on entry {EntryId} (volume {VolumeId}) failed; it is tried again.")]
    public static partial void EntryPinRenewFailed(ILogger logger, Exception exception, long entryId, string volumeId);

    [LoggerMessage(1074, LogLevel.Warning, "Ending the removal mark of entry {EntryId} failed; it runs out by itself.")]
    public static partial void RemovalMarkEndFailed(ILogger logger, Exception exception, long entryId);

    [LoggerMessage(1075, LogLevel.Warning, "Scope {Scope} stayed locked by another process or host for {Timeout}; the volume is made without the cache.")]
    public static partial void ScopeLockWaitGaveUp(ILogger logger, string scope, TimeSpan timeout);

    [LoggerMessage(1076, LogLevel.Warning, "Releasing the lock of scope {Scope} failed; it runs out by itself.")]
    public static partial void ScopeLockReleaseFailed(ILogger logger, Exception exception, string scope);

    [LoggerMessage(1077, LogLevel.Information, "Cache volume {VolumeId} has no entry but is in use by a live process or host (a fill, or a retired entry being cloned from); reconciliation leaves it.")]
    public static partial void ReconcileVolumeInUseElsewhere(ILogger logger, string volumeId);

    [LoggerMessage(1078, LogLevel.Debug, "No entry for image {ImageId} in scope {Scope}; entry {EntryId} (volume {VolumeId}) of scope {EntryScope}, another pool of the backend, is cloned instead (CloneAcrossPools).")]
    public static partial void CacheHitInOtherPool(ILogger logger, string imageId, string scope, long entryId, string volumeId, string entryScope);

    [LoggerMessage(1079, LogLevel.Warning, "The driver of backend {Backend} failed to say whether it clones from pool '{SourcePool}' into pool '{TargetPool}'; the entry of the other pool is not used.")]
    public static partial void PoolCloningCheckFailed(ILogger logger, Exception exception, string backend, string sourcePool, string targetPool);

    [LoggerMessage(1080, LogLevel.Information, "Included backend {Backend} in cluster {Cluster}: {Moved} cache entries moved into the cluster, {Evicted} evicted because the cluster holds their image already, {Kept} of those left in place (in use).")]
    public static partial void IncludedInCluster(ILogger logger, string backend, string cluster, int moved, int evicted, int kept);

    [LoggerMessage(1081, LogLevel.Warning, "Cache entry {EntryId} (image {ImageId}, volume {VolumeId}) of scope {Scope} was not moved into scope {ClusterScope}, which holds that image already, and could not be evicted (in use, or its volume would not delete); it stays in its scope until the backend is included again.")]
    public static partial void ClusterConflictKept(ILogger logger, long entryId, string imageId, string volumeId, string scope, string clusterScope);

    [LoggerMessage(1082, LogLevel.Error, "Including backend {Backend} in its cluster at start-up failed; the host starts anyway and the backend's host-scoped entries stay where they are.")]
    public static partial void IncludeInClusterAtStartFailed(ILogger logger, Exception exception, string backend);

    [LoggerMessage(1083, LogLevel.Debug, "Moved {Moved} cache entries of scope {Scope} into scope {ClusterScope}; {Conflicts} left because the cluster holds their image already.")]
    public static partial void ScopeIncludedInCluster(ILogger logger, string scope, string clusterScope, int moved, int conflicts);

    [LoggerMessage(1090, LogLevel.Warning, "Releasing the pin on entry {EntryId} (volume {VolumeId}) failed; it runs out by itself.")]
    public static partial void EntryPinReleaseFailed(ILogger logger, Exception exception, long entryId, string volumeId);

    [LoggerMessage(1091, LogLevel.Information, "Removed scratch folder {Path}, left by a process that ended without removing it.")]
    public static partial void ScratchLeftoverRemoved(ILogger logger, string path);

    [LoggerMessage(1092, LogLevel.Warning, "Removing scratch folder {Path} failed; the next start-up tries again.")]
    public static partial void ScratchRemovalFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(1093, LogLevel.Information, "Image {ImageId} is {Format} of virtual size {VirtualSize} bytes; converting it to raw into {Target}.")]
    public static partial void ImageConverting(ILogger logger, string imageId, string format, long virtualSize, string target);

    [LoggerMessage(1094, LogLevel.Information, "Converted image {ImageId} from {Format} to raw in {ElapsedMs:F0} ms.")]
    public static partial void ImageConverted(ILogger logger, string imageId, string format, double elapsedMs);

    [LoggerMessage(1095, LogLevel.Warning, "Converting image {ImageId} was cancelled; qemu-img (process {ProcessId}) was killed.")]
    public static partial void ConversionKilled(ILogger logger, string imageId, int processId);

    [LoggerMessage(1096, LogLevel.Warning, "Killed process {ProcessId} (a qemu-img whose owner ended without stopping it), still converting from scratch folder {Path}.")]
    public static partial void ScratchOrphanKilled(ILogger logger, int processId, string path);

    [LoggerMessage(1097, LogLevel.Information, "A trim evicted {Purged} entries of backends turned off, {OverLimits} over the limits, {Idle} idle, {ImageDeleted} of deleted images and {Stale} stale ones.")]
    public static partial void TrimEvicted(ILogger logger, int purged, int overLimits, int idle, int imageDeleted, int stale);

    [LoggerMessage(1098, LogLevel.Warning, "Checking cached image {ImageId} against the image service failed; the next trim checks it again.")]
    public static partial void TrimImageCheckFailed(ILogger logger, Exception exception, string imageId);

    [LoggerMessage(1099, LogLevel.Error, "Trimming the image-volume cache failed; the next trim runs as planned.")]
    public static partial void TrimFailed(ILogger logger, Exception exception);

    [LoggerMessage(1100, LogLevel.Warning, "The progress callback of the request for volume {VolumeId} (image {ImageId}) threw at step {Step}; it is not called again for this request, which goes on.")]
    public static partial void ProgressCallbackFailed(ILogger logger, Exception exception, string volumeId, string imageId, PipelineStep step);

    [LoggerMessage(1110, LogLevel.Information, "Warming image {ImageId} in cache scope {ScopeKey}: {Outcome}.")]
    public static partial void ImageWarmed(ILogger logger, string imageId, string scopeKey, ImageWarmOutcome outcome);

    [LoggerMessage(1111, LogLevel.Warning, "Warming image {ImageId} in cache scope {ScopeKey} failed.")]
    public static partial void ImageWarmFailed(ILogger logger, Exception exception, string imageId, string scopeKey);

    [LoggerMessage(1112, LogLevel.Warning, "Warm image {ImageId} of backend {Backend} could not be refreshed; its entry is outdated or missing.")]
    public static partial void WarmImageOutdated(ILogger logger, string imageId, string backend);

    [LoggerMessage(1113, LogLevel.Error, "Warming the image-volume cache failed; the next poll runs as planned.")]
    public static partial void WarmFailed(ILogger logger, Exception exception);
}
