using System.Text;

namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>
/// The store's tables and their forward migrations, all in the store's own schema. The version in <c>schema_version</c>
/// says which migrations a schema has had; a store applies the missing ones in one transaction holding an advisory lock
/// keyed by the schema name, so hosts starting together migrate once, and refuses a version newer than it knows (a newer
/// release wrote it) rather than guess at its layout.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>Stands for the quoted schema name in the texts below.</summary>
    private const string Placeholder = "{schema}";

    /// <summary>
    /// Times are UTC ticks (100 ns) in <c>bigint</c>, so they order and compare exactly, as .NET's do (<c>timestamptz</c>
    /// keeps microseconds only). Keys compare byte by byte (<c>COLLATE "C"</c>), as the in-memory store's do.
    /// </summary>
    private static readonly string[] Migrations =
    [
        // 1: entries, their unique keys and LRU index, and per-scope totals kept by a trigger in the same statement as each
        // change (a hand edit of a size or scope included); entries the store cannot use are moved to quarantined_entries.
        """
        CREATE TABLE {schema}.cache_entries (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            scope_key text COLLATE "C" NOT NULL,
            host text NOT NULL,
            cluster text NULL,
            image_id text COLLATE "C" NOT NULL,
            image_updated_at bigint NOT NULL,
            volume_id text COLLATE "C" NOT NULL,
            size_gb bigint NOT NULL,
            created_at bigint NOT NULL,
            last_used bigint NOT NULL,
            CONSTRAINT cache_entries_scope_image_key UNIQUE (scope_key, image_id),
            CONSTRAINT cache_entries_volume_key UNIQUE (volume_id));
        CREATE INDEX cache_entries_lru ON {schema}.cache_entries (scope_key, last_used, id);
        CREATE TABLE {schema}.scope_totals (
            scope_key text COLLATE "C" PRIMARY KEY,
            entry_count bigint NOT NULL,
            size_gb bigint NOT NULL);
        CREATE FUNCTION {schema}.cache_entries_totals() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE {schema}.scope_totals SET entry_count = entry_count - 1, size_gb = size_gb - OLD.size_gb
                    WHERE scope_key = OLD.scope_key;
                DELETE FROM {schema}.scope_totals WHERE scope_key = OLD.scope_key AND entry_count <= 0;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO {schema}.scope_totals AS t (scope_key, entry_count, size_gb) VALUES (NEW.scope_key, 1, NEW.size_gb)
                    ON CONFLICT (scope_key) DO UPDATE SET entry_count = t.entry_count + 1, size_gb = t.size_gb + EXCLUDED.size_gb;
            END IF;
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER cache_entries_totals AFTER INSERT OR DELETE OR UPDATE OF scope_key, size_gb ON {schema}.cache_entries
            FOR EACH ROW EXECUTE FUNCTION {schema}.cache_entries_totals();
        CREATE TABLE {schema}.quarantined_entries (
            id bigint PRIMARY KEY,
            scope_key text, host text, cluster text, image_id text, image_updated_at bigint, volume_id text, size_gb bigint,
            created_at bigint, last_used bigint,
            quarantined_at bigint NOT NULL,
            reason text NOT NULL);
        """,

        // 2: fill leases, one row per (scope, image) being filled: who fills it and until when (UTC ticks), so that the
        // hosts of a cluster fill an image once; a row whose time ran out is taken over in place.
        """
        CREATE TABLE {schema}.fill_leases (
            scope_key text COLLATE "C" NOT NULL,
            image_id text COLLATE "C" NOT NULL,
            holder text NOT NULL,
            expires_at bigint NOT NULL,
            PRIMARY KEY (scope_key, image_id));
        """,

        // 3: the rest of the coordination. A fill lease records the cache volume its holder fills and the room it takes
        // (NULL until reserved); the scope lock is a lease whose image_id is '' (no image has an empty id). Pins and marks
        // (a removal in progress, or a retirement) per entry, with no foreign key to cache_entries: the pins and the
        // retirement of an entry outlive its row, until its last pin is released.
        """
        ALTER TABLE {schema}.fill_leases ADD COLUMN volume_id text COLLATE "C" NULL, ADD COLUMN size_gb integer NULL;
        CREATE INDEX fill_leases_volume ON {schema}.fill_leases (volume_id) WHERE volume_id IS NOT NULL;
        CREATE TABLE {schema}.entry_pins (
            entry_id bigint NOT NULL,
            pin text COLLATE "C" NOT NULL,
            expires_at bigint NOT NULL,
            PRIMARY KEY (entry_id, pin));
        CREATE TABLE {schema}.entry_marks (
            entry_id bigint PRIMARY KEY,
            holder text COLLATE "C" NULL,
            expires_at bigint NOT NULL,
            retired boolean NOT NULL,
            volume_id text COLLATE "C" NULL);
        CREATE INDEX entry_marks_volume ON {schema}.entry_marks (volume_id) WHERE volume_id IS NOT NULL;
        """,

        // 4: an image found across the pools of a backend by an index on (image, scope). (A host's entries moving into its
        // cluster are an update of their scope, which the totals trigger follows since migration 1.)
        """
        CREATE INDEX cache_entries_image_scope ON {schema}.cache_entries (image_id, scope_key);
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>The text of migration <paramref name="version"/> (1-based) for a quoted schema name.</summary>
    public static string Migration(int version, string quotedSchema) => Migrations[version - 1].Replace(Placeholder, quotedSchema, StringComparison.Ordinal);

    /// <summary>A schema name as an SQL identifier. The options validator allows only [a-z0-9_], so quoting changes nothing but is kept.</summary>
    public static string Quote(string schema) => "\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// The <c>pg_advisory_xact_lock</c> key of a schema's migration: the 64-bit FNV-1a hash of
    /// <c>ImageVolumeCache.PostgreSql:</c> and the schema name, so stores of one schema share it and other schemas (and
    /// other applications, most likely) do not.
    /// </summary>
    public static long MigrationLockKey(string schema) => unchecked((long)Fnv1a("ImageVolumeCache.PostgreSql:" + schema));

    /// <summary>
    /// The first key of the two-key <c>pg_advisory_xact_lock</c> that orders the pins and marks of one entry (the second
    /// is <see cref="EntryLockKey"/>): the FNV-1a hash of <c>ImageVolumeCache.PostgreSql.entries:</c> and the schema name,
    /// folded to 32 bits, so the entries of other schemas lock apart. Two-key locks never meet the one-key migration lock.
    /// </summary>
    public static int EntryLockSpace(string schema) => Fold(Fnv1a("ImageVolumeCache.PostgreSql.entries:" + schema));

    /// <summary>An entry id folded to the second key of its lock; two entries that share a key only wait for each other.</summary>
    public static int EntryLockKey(long entryId) => Fold(unchecked((ulong)entryId));

    private static int Fold(ulong value) => unchecked((int)(value ^ (value >> 32)));

    private static ulong Fnv1a(string text)
    {
        const ulong Offset = 14695981039346656037;
        const ulong Prime = 1099511628211;
        ulong hash = Offset;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * Prime);
        }

        return hash;
    }

    public const string LockMigration = "SELECT pg_advisory_xact_lock($1)";

    /// <summary>Whether the schema exists, how many tables it holds, and whether one is <c>schema_version</c>.</summary>
    public const string Inspect = """
        SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),
            (SELECT count(*) FROM pg_tables WHERE schemaname = $1),
            EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_version')
        """;

    public static string CreateSchema(string quotedSchema) => $"CREATE SCHEMA IF NOT EXISTS {quotedSchema}";

    public static string CreateVersionTable(string quotedSchema) =>
        $"CREATE TABLE {quotedSchema}.schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)";

    public static string ReadVersion(string quotedSchema) => $"SELECT version FROM {quotedSchema}.schema_version WHERE id = 1";

    public static string WriteVersion(string quotedSchema) =>
        $"INSERT INTO {quotedSchema}.schema_version (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version";
}
