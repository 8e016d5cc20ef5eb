namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>A row of <c>cache_entries</c> the store cannot use.</summary>
/// <param name="Id">The entry id.</param>
/// <param name="ScopeKey">The row's <c>scope_key</c> as stored, whatever its type: the scope whose totals to repair.</param>
/// <param name="Reason">Which values are wrong and why.</param>
internal readonly record struct InvalidRow(long Id, object ScopeKey, string Reason);
