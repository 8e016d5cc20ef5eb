namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>
/// The statements that take unusable rows out of service and bring the per-scope totals back in line with the rows. They
/// run at start-up and when a call meets a bad row, inside a <c>BEGIN IMMEDIATE</c> transaction, never on the hot path.
/// </summary>
internal static class RepairSql
{
    public const string AllRows = $"SELECT {Sql.Columns} FROM cache_entries";

    public const string ScopeRows = $"{AllRows} WHERE scope_key = $scope";

    /// <summary>Copies a row as it is (the quarantine table's value columns have no type) and deletes it; the delete trigger updates the totals.</summary>
    public const string Quarantine =
        $"INSERT OR IGNORE INTO quarantined_entries ({Sql.Columns}, quarantined_at, reason) "
        + $"SELECT {Sql.Columns}, $at, $reason FROM cache_entries WHERE id = $id; "
        + "DELETE FROM cache_entries WHERE id = $id";

    /// <summary>Every scope whose stored totals are not those of its rows: (scope, stored count, stored size, count, size).</summary>
    public const string AllWrongTotals = """
        WITH actual AS (SELECT scope_key, count(*) AS n, sum(size_gb) AS s FROM cache_entries GROUP BY scope_key)
        SELECT t.scope_key, t.entry_count, t.size_gb, coalesce(a.n, 0), coalesce(a.s, 0)
            FROM scope_totals AS t LEFT JOIN actual AS a ON a.scope_key = t.scope_key
            WHERE a.n IS NULL OR t.entry_count IS NOT a.n OR t.size_gb IS NOT a.s
        UNION ALL
        SELECT a.scope_key, NULL, NULL, a.n, a.s FROM actual AS a WHERE a.scope_key NOT IN (SELECT scope_key FROM scope_totals)
        """;

    /// <summary>The same for one scope, by the indexes.</summary>
    public const string ScopeWrongTotals = """
        WITH actual AS (SELECT count(*) AS n, coalesce(sum(size_gb), 0) AS s FROM cache_entries WHERE scope_key = $scope),
            stored AS (SELECT entry_count, size_gb FROM scope_totals WHERE scope_key = $scope)
        SELECT $scope, (SELECT entry_count FROM stored), (SELECT size_gb FROM stored), a.n, a.s FROM actual AS a
            WHERE (SELECT entry_count FROM stored) IS NOT (CASE a.n WHEN 0 THEN NULL ELSE a.n END)
                OR (SELECT size_gb FROM stored) IS NOT (CASE a.n WHEN 0 THEN NULL ELSE a.s END)
        """;

    public const string SetTotals =
        "INSERT INTO scope_totals (scope_key, entry_count, size_gb) VALUES ($scope, $count, $size) "
        + "ON CONFLICT (scope_key) DO UPDATE SET entry_count = excluded.entry_count, size_gb = excluded.size_gb";

    public const string DeleteTotals = "DELETE FROM scope_totals WHERE scope_key = $scope";
}
