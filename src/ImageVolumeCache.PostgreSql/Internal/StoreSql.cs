namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>
/// The store's statements, with the schema's name written in. Each operation is one statement, so atomic and one round
/// trip, but for the pins and marks that must wait for an entry's lock first; parameters are positional (<c>$1</c>…), and
/// Npgsql prepares a statement on a connection once it is used often.
/// </summary>
internal sealed class StoreSql
{
    public const string Columns = "id, scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used";

    /// <summary>Takes the advisory lock of an entry ($1 the schema's space, $2 the entry's key) to the end of the transaction.</summary>
    public const string LockEntry = "SELECT pg_advisory_xact_lock($1, $2)";

    /// <summary>Takes the advisory lock of an entry shared, as pins do: they exclude removals and retirements, not each other.</summary>
    public const string LockEntryShared = "SELECT pg_advisory_xact_lock_shared($1, $2)";

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

        // The rows are locked in id order first, so that two hosts writing overlapping batches cannot deadlock, with the
        // lock an UPDATE of a non-key column takes (it does not conflict with a pin's KEY SHARE); a time is never moved
        // back, and a removed entry's touch writes nothing.
        Touch = $"WITH t AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS t(id, used)), "
            + $"locked AS MATERIALIZED (SELECT e.id FROM {entries} e JOIN t ON e.id = t.id ORDER BY e.id FOR NO KEY UPDATE OF e) "
            + $"UPDATE {entries} e SET last_used = GREATEST(e.last_used, t.used) FROM t WHERE e.id = t.id AND e.id IN (SELECT id FROM locked)";
        LeastRecentlyUsed = $"SELECT {Columns} FROM {entries} WHERE scope_key = $1 ORDER BY last_used, id LIMIT $2";
        Totals = $"SELECT entry_count, size_gb FROM {totals} WHERE scope_key = $1";
        ListScope = $"SELECT {Columns} FROM {entries} WHERE scope_key = $1 ORDER BY last_used, id";
        ListAll = $"SELECT {Columns} FROM {entries} ORDER BY scope_key, last_used, id";

        // $1 scope, $2 cluster. The rows the update leaves are those whose image the cluster holds; the select sees the scope
        // as it was when the statement started (not its own CTE's update), so it leaves out the moved rows by id. A row the
        // cluster gained from another host after that start makes the update fail on the unique key: the caller runs it again.
        MoveToCluster = $"WITH moved AS (UPDATE {entries} AS e SET scope_key = $2, cluster = $2 WHERE e.scope_key = $1 "
            + $"AND NOT EXISTS (SELECT 1 FROM {entries} AS c WHERE c.scope_key = $2 AND c.image_id = e.image_id) RETURNING {Columns}) "
            + $"SELECT {Columns}, true AS moved FROM moved "
            + $"UNION ALL SELECT {Columns}, false FROM {entries} WHERE scope_key = $1 AND id NOT IN (SELECT id FROM moved) "
            + "ORDER BY last_used, id";

        // $1 image, $2 backend, $3 backend || '$', $4 backend || '#', $5 the scope left out: one range of the (image, scope) index.
        FindInOtherPools = $"SELECT {Columns} FROM {entries} WHERE image_id = $1 AND scope_key >= $2 AND scope_key < $3 "
            + "AND (scope_key = $2 OR scope_key >= $4) AND scope_key <> $5 ORDER BY scope_key";

        // Leases: $1 scope, $2 image, $3 holder, $4 now, $5 expiry, in UTC ticks. A concurrent insert of the same key
        // waits for the other's row and then judges it by the WHERE, so exactly one holder of many gets a row back.
        // A takeover starts without the reservation of the lease it took over; the holder extending its lease keeps it.
        string leases = $"{quotedSchema}.fill_leases";
        AcquireLease = $"INSERT INTO {leases} AS l (scope_key, image_id, holder, expires_at) VALUES ($1, $2, $3, $5) "
            + "ON CONFLICT (scope_key, image_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, "
            + "volume_id = CASE WHEN l.holder = EXCLUDED.holder THEN l.volume_id END, "
            + "size_gb = CASE WHEN l.holder = EXCLUDED.holder THEN l.size_gb END "
            + "WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $4 "
            + "RETURNING holder";
        RenewLease = $"UPDATE {leases} SET expires_at = $4 WHERE scope_key = $1 AND image_id = $2 AND holder = $3 RETURNING holder";
        ReleaseLease = $"DELETE FROM {leases} WHERE scope_key = $1 AND image_id = $2 AND holder = $3";
        ReserveSpace = $"UPDATE {leases} SET volume_id = $4, size_gb = $5 WHERE scope_key = $1 AND image_id = $2 AND holder = $3 RETURNING holder";
        ReservedSpace = $"SELECT count(*), coalesce(sum(size_gb), 0)::bigint FROM {leases} "
            + "WHERE scope_key = $1 AND volume_id IS NOT NULL AND expires_at > $2";

        // Pins and marks: $1 entry id. Those that read before they write run in a transaction after the entry's advisory
        // lock (LockEntry, LockEntryShared), so their snapshot, taken when the statement starts, sees every change made
        // under that lock before (see PostgreSqlCacheEntryStore.Pins.cs).
        string pins = $"{quotedSchema}.entry_pins";
        string marks = $"{quotedSchema}.entry_marks";
        VolumeInUse = $"SELECT 1 WHERE EXISTS (SELECT 1 FROM {leases} WHERE volume_id = $1 AND expires_at > $2) "
            + $"OR EXISTS (SELECT 1 FROM {marks} AS m JOIN {pins} AS p ON p.entry_id = m.entry_id "
            + "WHERE m.volume_id = $1 AND m.retired AND p.expires_at > $2)";

        // $2 pin, $3 now, $4 expiry. The key-share lock on the entry's row holds off its delete until the pin commits.
        Pin = $"WITH entry AS (SELECT 1 FROM {entries} WHERE id = $1 FOR KEY SHARE) "
            + $"INSERT INTO {pins} (entry_id, pin, expires_at) SELECT $1, $2, $4 FROM entry "
            + $"WHERE NOT EXISTS (SELECT 1 FROM {marks} WHERE entry_id = $1 AND (retired OR expires_at > $3)) "
            + "ON CONFLICT (entry_id, pin) DO UPDATE SET expires_at = EXCLUDED.expires_at "
            + "RETURNING 1";
        RenewPin = $"UPDATE {pins} SET expires_at = $3 WHERE entry_id = $1 AND pin = $2 RETURNING 1";

        // $2 pin, $3 now. The statement does not see its own CTE's delete, hence pin <> $2.
        ReleasePin = $"WITH released AS (DELETE FROM {pins} WHERE entry_id = $1 AND pin = $2) "
            + $"DELETE FROM {marks} WHERE entry_id = $1 AND retired "
            + $"AND NOT EXISTS (SELECT 1 FROM {pins} WHERE entry_id = $1 AND pin <> $2 AND expires_at > $3) "
            + "RETURNING 1";

        // $2 holder, $3 now, $4 expiry.
        BeginRemoval = $"INSERT INTO {marks} AS m (entry_id, holder, expires_at, retired) "
            + $"SELECT $1, $2, $4, false WHERE NOT EXISTS (SELECT 1 FROM {pins} WHERE entry_id = $1 AND expires_at > $3) "
            + "ON CONFLICT (entry_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
            + "WHERE NOT m.retired AND (m.expires_at <= $3 OR m.holder = EXCLUDED.holder) "
            + "RETURNING 1";
        EndRemoval = $"DELETE FROM {marks} WHERE entry_id = $1 AND holder = $2 AND NOT retired";

        // $2 volume, $3 now, $4 the expiry of a retirement (never).
        Retire = $"INSERT INTO {marks} AS m (entry_id, expires_at, retired, volume_id) "
            + $"SELECT $1, $4, true, $2 WHERE EXISTS (SELECT 1 FROM {pins} WHERE entry_id = $1 AND expires_at > $3) "
            + "ON CONFLICT (entry_id) DO UPDATE SET holder = NULL, expires_at = EXCLUDED.expires_at, retired = true, volume_id = EXCLUDED.volume_id "
            + "WHERE NOT m.retired AND m.expires_at <= $3 "
            + "RETURNING 1";

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

    public string Touch { get; }

    public string FindByVolume { get; }

    public string Insert { get; }

    public string Remove { get; }

    public string LeastRecentlyUsed { get; }

    public string Totals { get; }

    public string ListScope { get; }

    public string ListAll { get; }

    /// <summary>Moves a scope's entries ($1) into a cluster's scope ($2) but those whose image it holds; returns both kinds, flagged by an 11th column.</summary>
    public string MoveToCluster { get; }

    /// <summary>The entries of an image in the other scopes of a backend, by scope key.</summary>
    public string FindInOtherPools { get; }

    /// <summary>Takes a lease nobody holds, one whose time ran out, or one the holder holds; returns a row when the holder holds it.</summary>
    public string AcquireLease { get; }

    /// <summary>Extends ($4 expiry) a lease the holder still holds, even one whose time ran out; returns a row when it did.</summary>
    public string RenewLease { get; }

    public string ReleaseLease { get; }

    /// <summary>Records a volume ($4) and its room ($5) on a lease the holder holds; returns a row when it did.</summary>
    public string ReserveSpace { get; }

    /// <summary>The count and GB of the reservations of a scope on leases that run out after $2.</summary>
    public string ReservedSpace { get; }

    /// <summary>A row when a live lease fills the volume ($1) or a retired entry with a live pin (at $2) owns it.</summary>
    public string VolumeInUse { get; }

    /// <summary>Pins a stored entry with no live removal mark and no retirement; returns a row when it did.</summary>
    public string Pin { get; }

    /// <summary>Extends ($3) a pin still recorded, even one that ran out; returns a row when it did.</summary>
    public string RenewPin { get; }

    /// <summary>Deletes a pin, and the entry's retirement when no other pin is live; returns a row when it ended the retirement.</summary>
    public string ReleasePin { get; }

    /// <summary>Marks an entry with no live pin as being removed, unless retired or marked by another holder; returns a row when it did.</summary>
    public string BeginRemoval { get; }

    public string EndRemoval { get; }

    /// <summary>Retires an entry with a live pin, unless retired or being removed; returns a row when it did.</summary>
    public string Retire { get; }

    /// <summary>Moves rows ($1 ids) into <c>quarantined_entries</c> with a time ($2) and each one's reason ($3); the delete trigger updates the totals.</summary>
    public string Quarantine { get; }

    public string DeleteTotals { get; }

    public string RecomputeTotals { get; }

    public string ScopeRows { get; }
}
