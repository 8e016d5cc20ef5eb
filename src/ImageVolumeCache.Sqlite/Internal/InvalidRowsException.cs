namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>
/// Thrown by the readers of a statement's rows when some cannot be used; the store catches it, quarantines the rows once
/// the statement is done, and throws a <see cref="CacheEntryStoreException"/> naming them. Never leaves the store.
/// </summary>
internal sealed class InvalidRowsException(IReadOnlyList<InvalidRow> rows) : Exception
{
    public IReadOnlyList<InvalidRow> Rows { get; } = rows;
}
