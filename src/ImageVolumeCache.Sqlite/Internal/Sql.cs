namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>
/// The store's statements, each prepared once per connection. Every one is a single statement, so atomic: a statement that
/// writes takes the file's write lock before it reads, so what it checks is still so when it writes, across processes too.
/// </summary>
internal static class Sql
{
    public const string Columns = "id, scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used";

    public const string GetAndTouch =
        $"UPDATE cache_entries SET last_used = $now WHERE scope_key = $scope AND image_id = $image RETURNING {Columns}";

    /// <summary>Writes a touch held behind (<see cref="CacheEntryTouches"/>); never moves a time back, writes nothing for a removed entry.</summary>
    public const string Touch = "UPDATE cache_entries SET last_used = MAX(last_used, $used) WHERE id = $id";

    public const string Get = $"SELECT {Columns} FROM cache_entries WHERE scope_key = $scope AND image_id = $image";

    public const string FindByVolume = $"SELECT {Columns} FROM cache_entries WHERE volume_id = $volume";

    public const string Insert =
        "INSERT INTO cache_entries (scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used) "
        + "VALUES ($scope, $host, $cluster, $image, $updated, $volume, $size, $created, $used) "
        + $"ON CONFLICT (scope_key, image_id) DO NOTHING RETURNING {Columns}";

    public const string Remove = "DELETE FROM cache_entries WHERE id = $id RETURNING id";

    public const string LeastRecentlyUsed =
        $"SELECT {Columns} FROM cache_entries WHERE scope_key = $scope ORDER BY last_used, id LIMIT $limit";

    public const string Totals = "SELECT entry_count, size_gb FROM scope_totals WHERE scope_key = $scope";

    public const string ListScope = $"SELECT {Columns} FROM cache_entries WHERE scope_key = $scope ORDER BY last_used, id";

    public const string ListAll = $"SELECT {Columns} FROM cache_entries ORDER BY scope_key, last_used, id";

    /// <summary>
    /// Moves the entries of a scope into a cluster's scope, but those whose image the cluster's scope holds already (the
    /// unique key would refuse them); returns the moved rows. The update trigger moves the totals.
    /// </summary>
    public const string MoveToCluster =
        "UPDATE cache_entries SET scope_key = $cluster, cluster = $cluster WHERE scope_key = $scope "
        + "AND NOT EXISTS (SELECT 1 FROM cache_entries AS c WHERE c.scope_key = $cluster AND c.image_id = cache_entries.image_id) "
        + $"RETURNING {Columns}";

    /// <summary>
    /// The entries of an image in the scopes of a backend ($backend, or $backend followed by '#' and a pool: the keys from
    /// $pools, which is $backend + '#', up to $end, which is $backend + '$'), but $scope: one range of the (image, scope) index.
    /// </summary>
    public const string FindInOtherPools =
        $"SELECT {Columns} FROM cache_entries WHERE image_id = $image AND scope_key >= $backend AND scope_key < $end "
        + "AND (scope_key = $backend OR scope_key >= $pools) AND scope_key <> $scope ORDER BY scope_key";

    /// <summary>
    /// Takes a lease nobody holds, one whose time ran out, or one the holder holds; returns a row when the holder holds it.
    /// A takeover starts without the reservation of the lease it took over; the holder taking its own lease again keeps it.
    /// </summary>
    public const string AcquireLease =
        "INSERT INTO fill_leases (scope_key, image_id, holder, expires_at) VALUES ($scope, $image, $holder, $expires) "
        + "ON CONFLICT (scope_key, image_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, "
        + "volume_id = CASE WHEN fill_leases.holder = excluded.holder THEN fill_leases.volume_id END, "
        + "size_gb = CASE WHEN fill_leases.holder = excluded.holder THEN fill_leases.size_gb END "
        + "WHERE fill_leases.holder = excluded.holder OR fill_leases.expires_at <= $now "
        + "RETURNING holder";

    /// <summary>Extends a lease the holder still holds (even one whose time ran out); returns a row when it did.</summary>
    public const string RenewLease =
        "UPDATE fill_leases SET expires_at = $expires WHERE scope_key = $scope AND image_id = $image AND holder = $holder RETURNING holder";

    public const string ReleaseLease = "DELETE FROM fill_leases WHERE scope_key = $scope AND image_id = $image AND holder = $holder";

    /// <summary>Records the volume and room on a lease the holder holds (as renew, even one whose time ran out); returns a row when it did.</summary>
    public const string ReserveSpace =
        "UPDATE fill_leases SET volume_id = $volume, size_gb = $size WHERE scope_key = $scope AND image_id = $image AND holder = $holder RETURNING holder";

    /// <summary>How many live leases of a scope reserved room, and how much: by the primary key's scope prefix.</summary>
    public const string ReservedSpace =
        "SELECT count(*), coalesce(sum(size_gb), 0) FROM fill_leases WHERE scope_key = $scope AND volume_id IS NOT NULL AND expires_at > $now";

    /// <summary>Whether a live lease fills the volume, or it is a retired entry's with a live pin: by the volume indexes.</summary>
    public const string VolumeInUse =
        "SELECT EXISTS (SELECT 1 FROM fill_leases WHERE volume_id = $volume AND expires_at > $now) "
        + "OR EXISTS (SELECT 1 FROM entry_marks AS m JOIN entry_pins AS p ON p.entry_id = m.entry_id "
        + "WHERE m.volume_id = $volume AND m.retired = 1 AND p.expires_at > $now)";

    /// <summary>
    /// Pins (or pins again) an entry that is stored, not retired and not being removed; returns a row when it did. The write
    /// lock is taken before the checks, so the entry and its mark are as checked when the pin is written.
    /// </summary>
    public const string Pin =
        "INSERT INTO entry_pins (entry_id, pin, expires_at) SELECT $entry, $pin, $expires "
        + "WHERE EXISTS (SELECT 1 FROM cache_entries WHERE id = $entry) "
        + "AND NOT EXISTS (SELECT 1 FROM entry_marks WHERE entry_id = $entry AND (retired = 1 OR expires_at > $now)) "
        + "ON CONFLICT (entry_id, pin) DO UPDATE SET expires_at = excluded.expires_at "
        + "RETURNING entry_id";

    /// <summary>Extends a pin still recorded, even on a retired entry; returns a row when it did.</summary>
    public const string RenewPin = "UPDATE entry_pins SET expires_at = $expires WHERE entry_id = $entry AND pin = $pin RETURNING entry_id";

    /// <summary>
    /// Deletes a pin and returns whether its entry is retired (1) or not (0), so that the common release (an entry that is
    /// not retired) is one statement; a release of a retired entry's pin goes on with <see cref="EndRetirement"/>.
    /// </summary>
    public const string Unpin =
        "DELETE FROM entry_pins WHERE entry_id = $entry AND pin = $pin "
        + "RETURNING EXISTS (SELECT 1 FROM entry_marks WHERE entry_id = $entry AND retired = 1)";

    /// <summary>Ends the retirement of an entry with no live pin left; returns a row to the one caller that ended it.</summary>
    public const string EndRetirement =
        "DELETE FROM entry_marks WHERE entry_id = $entry AND retired = 1 "
        + "AND NOT EXISTS (SELECT 1 FROM entry_pins WHERE entry_id = $entry AND expires_at > $now) "
        + "RETURNING entry_id";

    /// <summary>
    /// Marks an entry with no live pin as being removed, unless it is retired or another holder's live mark is on it;
    /// returns a row when it did.
    /// </summary>
    public const string BeginRemoval =
        "INSERT INTO entry_marks (entry_id, holder, expires_at, retired, volume_id) SELECT $entry, $holder, $expires, 0, NULL "
        + "WHERE NOT EXISTS (SELECT 1 FROM entry_pins WHERE entry_id = $entry AND expires_at > $now) "
        + "ON CONFLICT (entry_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
        + "WHERE entry_marks.retired = 0 AND (entry_marks.holder = excluded.holder OR entry_marks.expires_at <= $now) "
        + "RETURNING entry_id";

    public const string EndRemoval = "DELETE FROM entry_marks WHERE entry_id = $entry AND retired = 0 AND holder = $holder";

    /// <summary>
    /// Retires an entry with a live pin, unless it is retired or being removed already; returns a row to the one caller that
    /// retired it. A retired mark never runs out: it ends with the release of the last pin.
    /// </summary>
    public const string Retire =
        "INSERT INTO entry_marks (entry_id, holder, expires_at, retired, volume_id) SELECT $entry, NULL, $expires, 1, $volume "
        + "WHERE EXISTS (SELECT 1 FROM entry_pins WHERE entry_id = $entry AND expires_at > $now) "
        + "ON CONFLICT (entry_id) DO UPDATE SET holder = NULL, expires_at = excluded.expires_at, retired = 1, volume_id = excluded.volume_id "
        + "WHERE entry_marks.retired = 0 AND entry_marks.expires_at <= $now "
        + "RETURNING entry_id";

    /// <summary>Every statement, indexed by <see cref="Statement"/>.</summary>
    public static readonly string[] Texts =
    [
        GetAndTouch, Get, FindByVolume, Insert, Remove, LeastRecentlyUsed, Totals, ListScope, ListAll, AcquireLease, RenewLease, ReleaseLease,
        ReserveSpace, ReservedSpace, VolumeInUse, Pin, RenewPin, Unpin, EndRetirement, BeginRemoval, EndRemoval, Retire,
        MoveToCluster, FindInOtherPools, Touch,
    ];
}

/// <summary>Indexes into <see cref="Sql.Texts"/>.</summary>
internal enum Statement
{
    GetAndTouch,
    Get,
    FindByVolume,
    Insert,
    Remove,
    LeastRecentlyUsed,
    Totals,
    ListScope,
    ListAll,
    AcquireLease,
    RenewLease,
    ReleaseLease,
    ReserveSpace,
    ReservedSpace,
    VolumeInUse,
    Pin,
    RenewPin,
    Unpin,
    EndRetirement,
    BeginRemoval,
    EndRemoval,
    Retire,
    MoveToCluster,
    FindInOtherPools,
    Touch,
}
