using System.Globalization;

namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>
/// The store's tables and their forward migrations. The version in <c>schema_version</c> says which migrations a file
/// has had; a store applies the missing ones in one <c>BEGIN IMMEDIATE</c> transaction, and refuses a file whose version
/// is newer than it knows (a newer release wrote it) rather than guess at its layout.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Times are UTC ticks (100 ns), so they order and compare exactly, as .NET's do.</summary>
    public static readonly string[] Migrations =
    [
        // 1: entries, their LRU index, and per-scope totals kept by triggers in the same statement as each change.
        """
        CREATE TABLE cache_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope_key TEXT NOT NULL,
            host TEXT NOT NULL,
            cluster TEXT NULL,
            image_id TEXT NOT NULL,
            image_updated_at INTEGER NOT NULL,
            volume_id TEXT NOT NULL UNIQUE,
            size_gb INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            last_used INTEGER NOT NULL,
            UNIQUE (scope_key, image_id));
        CREATE INDEX ix_cache_entries_lru ON cache_entries (scope_key, last_used, id);
        CREATE TABLE scope_totals (
            scope_key TEXT NOT NULL PRIMARY KEY,
            entry_count INTEGER NOT NULL,
            size_gb INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TRIGGER tr_cache_entries_insert AFTER INSERT ON cache_entries BEGIN
            INSERT INTO scope_totals (scope_key, entry_count, size_gb) VALUES (new.scope_key, 1, new.size_gb)
                ON CONFLICT (scope_key) DO UPDATE SET entry_count = entry_count + 1, size_gb = size_gb + excluded.size_gb;
        END;
        CREATE TRIGGER tr_cache_entries_delete AFTER DELETE ON cache_entries BEGIN
            UPDATE scope_totals SET entry_count = entry_count - 1, size_gb = size_gb - old.size_gb WHERE scope_key = old.scope_key;
            DELETE FROM scope_totals WHERE scope_key = old.scope_key AND entry_count <= 0;
        END;
        """,

        // 2: rows the store cannot use (a size or time out of range, an empty id, a scope that is not its host's) are
        // moved here, out of service, with when and why. The value columns have no type, so a value is kept exactly as
        // it was found, whatever it was.
        """
        CREATE TABLE quarantined_entries (
            id INTEGER PRIMARY KEY,
            scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used,
            quarantined_at INTEGER NOT NULL,
            reason TEXT NOT NULL);
        """,

        // 3: fill leases, one row per (scope, image) being filled: who fills it and until when (UTC ticks), so that the
        // processes sharing the file fill an image once; a row whose time ran out is taken over in place.
        """
        CREATE TABLE fill_leases (
            scope_key TEXT NOT NULL,
            image_id TEXT NOT NULL,
            holder TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (scope_key, image_id)) WITHOUT ROWID;
        """,

        // 4: coordination of space and pins across the processes. A fill lease records the cache volume it fills and the
        // room it takes (NULL until reserved); a scope's lock is a lease row with image_id '' (no image has an empty id).
        // Pins and marks name an entry by id without a foreign key: a pin, and the mark of a retired entry, outlive the
        // entry's row until the last pin is released. The partial indexes find a volume without scanning the leases or marks.
        """
        ALTER TABLE fill_leases ADD COLUMN volume_id TEXT NULL;
        ALTER TABLE fill_leases ADD COLUMN size_gb INTEGER NULL;
        CREATE INDEX ix_fill_leases_volume ON fill_leases (volume_id) WHERE volume_id IS NOT NULL;
        CREATE TABLE entry_pins (
            entry_id INTEGER NOT NULL,
            pin TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (entry_id, pin)) WITHOUT ROWID;
        CREATE TABLE entry_marks (
            entry_id INTEGER PRIMARY KEY,
            holder TEXT NULL,
            expires_at INTEGER NOT NULL,
            retired INTEGER NOT NULL,
            volume_id TEXT NULL);
        CREATE INDEX ix_entry_marks_volume ON entry_marks (volume_id) WHERE volume_id IS NOT NULL;
        """,

        // 5: a host's entries move into its cluster by an update of their scope, which the totals follow as they follow
        // inserts and deletes; and an image is found across the pools of a backend by an index on (image, scope).
        """
        CREATE TRIGGER tr_cache_entries_update_scope AFTER UPDATE OF scope_key ON cache_entries BEGIN
            UPDATE scope_totals SET entry_count = entry_count - 1, size_gb = size_gb - old.size_gb WHERE scope_key = old.scope_key;
            DELETE FROM scope_totals WHERE scope_key = old.scope_key AND entry_count <= 0;
            INSERT INTO scope_totals (scope_key, entry_count, size_gb) VALUES (new.scope_key, 1, new.size_gb)
                ON CONFLICT (scope_key) DO UPDATE SET entry_count = entry_count + 1, size_gb = size_gb + excluded.size_gb;
        END;
        CREATE INDEX ix_cache_entries_image_scope ON cache_entries (image_id, scope_key);
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>
    /// <c>PRAGMA application_id</c> of the store's files: "IVCS" in ASCII (0x49564353, 1230390099), set in the transaction
    /// that makes the tables. A file without it is not the store's, and the store never writes to it.
    /// </summary>
    public const int ApplicationId = 0x49564353;

    public const string ReadApplicationId = "PRAGMA application_id";

    public static readonly string WriteApplicationId = string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {ApplicationId}");

    public const string ReadUserVersion = "PRAGMA user_version";

    public const string CountSchemaObjects = "SELECT count(*) FROM sqlite_schema";

    public const string HasEntriesTable = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'cache_entries'";

    public const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";

    public const string HasVersionTable = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'";

    public const string ReadVersion = "SELECT version FROM schema_version WHERE id = 1";

    public const string WriteVersion =
        "INSERT INTO schema_version (id, version) VALUES (1, $version) ON CONFLICT (id) DO UPDATE SET version = excluded.version";
}
