namespace ImageVolumeCache.PostgreSql;

/// <summary>Options of <see cref="PostgreSqlCacheEntryStore"/>. Validated at start-up.</summary>
public sealed class PostgreSqlCacheEntryStoreOptions
{
    /// <summary>The schema the store uses when <see cref="Schema"/> is not set: <c>image_volume_cache</c>.</summary>
    public const string DefaultSchema = "image_volume_cache";

    /// <summary>
    /// An Npgsql connection string naming the server (<c>Host</c>, <c>Port</c>), the database and the credentials. Every
    /// host of a cluster points at the same database and schema. Required; default <see langword="null"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The PostgreSQL schema that holds the store's tables, made at start-up when missing: lower-case letters, digits and
    /// <c>_</c>, starting with a letter or <c>_</c>, at most 63 characters, not starting with <c>pg_</c>. Several stores
    /// (for example of separate clusters) can share a database in schemas of their own. Default <see cref="DefaultSchema"/>.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// The longest a lookup's touch of an entry's last-used time waits to be written: a lookup is then a read (one round
    /// trip, no write), and the touches of each interval are written in one statement, and before every read that orders
    /// or lists entries by last use (so that this host's eviction decisions see all of its touches; another host's are at
    /// most one interval late). A host that dies loses at most its last interval's touches, never an entry.
    /// <see cref="TimeSpan.Zero"/> writes each touch with its lookup. From 0 to 1 second. Default 1 second.
    /// </summary>
    public TimeSpan TouchWriteInterval { get; set; } = TimeSpan.FromSeconds(1);
}
