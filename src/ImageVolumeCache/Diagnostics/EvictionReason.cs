namespace ImageVolumeCache.Diagnostics;

/// <summary>Why an entry was removed; the <c>reason</c> tag of the evictions counter.</summary>
internal enum EvictionReason
{
    Space,
    Stale,
    CloneLimit,
    VolumeMissing,
    Manual,
    VolumeDeleted,
    Purge,
    Trim,

    /// <summary>The entry named a volume that is not its cache volume (tampered or stale store): dropped, the volume left alone.</summary>
    Untrusted,

    /// <summary>A host joined a cluster that holds an entry of the same image already: the host's own entry goes.</summary>
    ClusterConflict,

    /// <summary>Unused for longer than the backend's <c>MaxIdle</c>.</summary>
    Idle,

    /// <summary>Its image was deleted from the image service.</summary>
    ImageDeleted,
}
