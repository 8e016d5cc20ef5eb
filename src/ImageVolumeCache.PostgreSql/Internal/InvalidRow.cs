namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>A row of <c>cache_entries</c> the store cannot use: its id, its scope (whose totals to recompute) and why.</summary>
internal readonly record struct InvalidRow(long Id, string ScopeKey, string Reason);
