namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>The store's statements, each prepared once per connection. Every one is a single statement, so atomic.</summary>
internal static class Sql
{
    public const string Columns = "id, scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used";

    public const string GetAndTouch =
        $"UPDATE cache_entries SET last_used = $now WHERE scope_key = $scope AND image_id = $image RETURNING {Columns}";

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
    /// Takes a lease nobody holds, one whose time ran out, or one the holder holds; returns a row when the holder holds it.
    /// </summary>
    public const string AcquireLease =
        "INSERT INTO fill_leases (scope_key, image_id, holder, expires_at) VALUES ($scope, $image, $holder, $expires) "
        + "ON CONFLICT (scope_key, image_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
        + "WHERE fill_leases.holder = excluded.holder OR fill_leases.expires_at <= $now "
        + "RETURNING holder";

    /// <summary>Extends a lease the holder still holds (even one whose time ran out); returns a row when it did.</summary>
    public const string RenewLease =
        "UPDATE fill_leases SET expires_at = $expires WHERE scope_key = $scope AND image_id = $image AND holder = $holder RETURNING holder";

    public const string ReleaseLease = "DELETE FROM fill_leases WHERE scope_key = $scope AND image_id = $image AND holder = $holder";

    /// <summary>Every statement, indexed by <see cref="Statement"/>.</summary>
    public static readonly string[] Texts =
        [GetAndTouch, Get, FindByVolume, Insert, Remove, LeastRecentlyUsed, Totals, ListScope, ListAll, AcquireLease, RenewLease, ReleaseLease];
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
}
