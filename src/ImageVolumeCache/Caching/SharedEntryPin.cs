namespace ImageVolumeCache.Caching;

/// <summary>
/// This cache's one pin on an entry in the store's coordination, shared by every request of the process that clones from
/// the entry: the first takes it (one store write), the others join it (none), and the last to leave lets it linger
/// (<see cref="ImageVolumeCacheOptions.PinLinger"/>) so that the next hit joins it too; an idle pin is given back when
/// its linger ends, or at once when this process removes the entry. Renewed by <see cref="PinRenewals"/> while held. Its
/// mutable state is guarded by the cache's pin lock.
/// </summary>
internal sealed class SharedEntryPin(ImageCacheEntry entry, string pin, long takenAt, TimeSpan duration)
{
    public ImageCacheEntry Entry { get; } = entry;

    /// <summary>The pin's id in the store's coordination.</summary>
    public string Pin { get; } = pin;

    /// <summary>Whether the store gave the pin (true), refused it (false), or failed (an exception); set once by the taker.</summary>
    public TaskCompletionSource<bool> Taken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The requests of this process that hold the pin.</summary>
    public int Users { get; set; }

    /// <summary>When the last user left (a <see cref="TimeProvider"/> timestamp).</summary>
    public long IdleSince { get; set; }

    /// <summary>Set when the pin may no longer be joined: refused, lost, or being given back.</summary>
    public bool Closed { get; set; }

    /// <summary>When the pin was taken or last renewed (a <see cref="TimeProvider"/> timestamp), set only when the store confirmed it.</summary>
    public long RenewedAt { get; set; } = takenAt;

    /// <summary>How long the pin lasts in the store from <see cref="RenewedAt"/>: the duration it was taken or last renewed with.</summary>
    public TimeSpan Duration { get; set; } = duration;
}
