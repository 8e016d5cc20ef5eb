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
}
