namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>
/// The store's statements, with the schema's name written in. Each operation is one statement, so atomic and one round
/// trip; parameters are positional (<c>$1</c>…), and Npgsql prepares a statement on a connection once it is used often.
/// </summary>
internal sealed class StoreSql
{
    public const string Columns = "id, scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used";

    public StoreSql(string quotedSchema)
    {
        string entries = $"{quotedSchema}.cache_entries";
        string totals = $"{quotedSchema}.scope_totals";
        GetAndTouch = $"UPDATE {entries} SET last_used = $1 WHERE scope_key = $2 AND image_id = $3 RETURNING {Columns}";
        Get = $"SELECT {Columns} FROM {entries} WHERE scope_key = $1 AND image_id = $2";
        FindByVolume = $"SELECT {Columns} FROM {entries} WHERE volume_id = $1";
        Insert = $"INSERT INTO {entries} (scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
            + $"ON CONFLICT ON CONSTRAINT cache_entries_scope_image_key DO NOTHING RETURNING {Columns}";
        Remove = $"DELETE FROM {entries} WHERE id = $1";
        LeastRecentlyUsed = $"SELECT {Columns} FROM {entries} WHERE scope_key = $1 ORDER BY last_used, id LIMIT $2";
        Totals = $"SELECT entry_count, size_gb FROM {totals} WHERE scope_key = $1";
        ListScope = $"SELECT {Columns} FROM {entries} WHERE scope_key = $1 ORDER BY last_used, id";
        ListAll = $"SELECT {Columns} FROM {entries} ORDER BY scope_key, last_used, id";

        // Leases: $1 scope, $2 image, $3 holder, $4 now, $5 expiry, in UTC ticks. A concurrent insert of the same key
        // waits for the other's row and then judges it by the WHERE, so exactly one holder of many gets a row back.
        string leases = $"{quotedSchema}.fill_leases";
        AcquireLease = $"INSERT INTO {leases} AS l (scope_key, image_id, holder, expires_at) VALUES ($1, $2, $3, $5) "
            + "ON CONFLICT (scope_key, image_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
            + "WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $4 "
            + "RETURNING holder";
        RenewLease = $"UPDATE {leases} SET expires_at = $4 WHERE scope_key = $1 AND image_id = $2 AND holder = $3 RETURNING holder";
        ReleaseLease = $"DELETE FROM {leases} WHERE scope_key = $1 AND image_id = $2 AND holder = $3";

        // The repairs below run when a call met a bad row or impossible totals, never on the hot path.
        Quarantine = $"""
            WITH moved AS (DELETE FROM {entries} WHERE id = ANY($1) RETURNING *)
            INSERT INTO {quotedSchema}.quarantined_entries ({Columns}, quarantined_at, reason)
                SELECT m.id, m.scope_key, m.host, m.cluster, m.image_id, m.image_updated_at, m.volume_id, m.size_gb, m.created_at,
                    m.last_used, $2, r.reason
                FROM moved AS m JOIN unnest($1::bigint[], $3::text[]) AS r (id, reason) ON r.id = m.id
                ON CONFLICT (id) DO NOTHING
            """;
        DeleteTotals = $"DELETE FROM {totals} WHERE scope_key = ANY($1)";
        RecomputeTotals = $"INSERT INTO {totals} (scope_key, entry_count, size_gb) "
            + $"SELECT scope_key, count(*), sum(size_gb) FROM {entries} WHERE scope_key = ANY($1) GROUP BY scope_key";
        ScopeRows = $"SELECT {Columns} FROM {entries} WHERE scope_key = $1";
    }

    public string GetAndTouch { get; }

    public string Get { get; }

    public string FindByVolume { get; }

    public string Insert { get; }

    public string Remove { get; }

    public string LeastRecentlyUsed { get; }

    public string Totals { get; }

    public string ListScope { get; }

    public string ListAll { get; }

    /// <summary>Takes a lease nobody holds, one whose time ran out, or one the holder holds; returns a row when the holder holds it.</summary>
    public string AcquireLease { get; }

    /// <summary>Extends ($4 expiry) a lease the holder still holds, even one whose time ran out; returns a row when it did.</summary>
    public string RenewLease { get; }

    public string ReleaseLease { get; }

    /// <summary>Moves rows ($1 ids) into <c>quarantined_entries</c> with a time ($2) and each one's reason ($3); the delete trigger updates the totals.</summary>
    public string Quarantine { get; }

    public string DeleteTotals { get; }

    public string RecomputeTotals { get; }

    public string ScopeRows { get; }
}
