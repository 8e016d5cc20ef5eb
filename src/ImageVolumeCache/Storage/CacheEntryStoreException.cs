namespace ImageVolumeCache;

/// <summary>
/// An entry store cannot be opened, read or written: its file or server is missing, unreadable, corrupt, or holds a
/// schema newer than this version knows. The message names the file or server. Entries are never dropped to get past it.
/// </summary>
public sealed class CacheEntryStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="location">The store's file path or server, as the message names it.</param>
    /// <param name="message">What went wrong; should name <paramref name="location"/>.</param>
    /// <param name="innerException">The database client's exception, or <see langword="null"/>.</param>
    public CacheEntryStoreException(string location, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Location = location;
    }

    /// <summary>The store's file path or server.</summary>
    public string Location { get; }

    /// <summary>
    /// The ids of entries whose stored rows held values out of range (a size, a time) and that the call which threw moved
    /// out of service (quarantined) instead of returning them. When it is not empty the store itself is fine: the same
    /// call, made again, no longer sees those rows. Default empty.
    /// </summary>
    public IReadOnlyList<long> QuarantinedEntryIds { get; init; } = [];
}
