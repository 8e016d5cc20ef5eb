namespace ImageVolumeCache.Sqlite;

/// <summary>
/// Options of <see cref="SqliteCacheEntryStore"/>. Set exactly one of <see cref="DatabasePath"/> and
/// <see cref="ConnectionString"/>. Validated at start-up.
/// </summary>
public sealed class SqliteCacheEntryStoreOptions
{
    /// <summary>
    /// The database file. It is made, with its tables, when missing; its folder must exist. Default <see langword="null"/>.
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// A Microsoft.Data.Sqlite connection string, for settings beyond the path (for example <c>Mode</c>); its
    /// <c>Data Source</c> must be a file. Pooling is always off: the store keeps its own open connections. Default <see langword="null"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long a statement waits for another process's write lock on the file before it fails. Default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most connections the store opens at once; further calls wait for one. Default 4.</summary>
    public int MaxConnections { get; set; } = 4;

    /// <summary>
    /// The longest a lookup's touch of an entry's last-used time waits to be written: a lookup is then a read, and the
    /// touches of each interval are written in one transaction, and before every read that orders or lists entries by
    /// last use (so that this process's eviction decisions see all of its touches). A process that dies loses at most
    /// its last interval's touches, never an entry. <see cref="TimeSpan.Zero"/> writes each touch with its lookup. From 0
    /// to 1 second. Default 1 second.
    /// </summary>
    public TimeSpan TouchWriteInterval { get; set; } = TimeSpan.FromSeconds(1);
}
