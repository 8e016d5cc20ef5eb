namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>
/// Thrown by a reader of rows when some cannot be used; the store catches it once the statement's connection is back in
/// the pool, quarantines the rows and throws a <see cref="CacheEntryStoreException"/> naming them. Never leaves the store.
/// </summary>
internal sealed class InvalidRowsException(IReadOnlyList<InvalidRow> rows) : Exception
{
    public IReadOnlyList<InvalidRow> Rows { get; } = rows;
}
