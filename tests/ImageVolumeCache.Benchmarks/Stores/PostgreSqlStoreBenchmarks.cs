using BenchmarkDotNet.Attributes;
using ImageVolumeCache.PostgreSql;
using Npgsql;
using NpgsqlTypes;

namespace ImageVolumeCache.Benchmarks.Stores;

/// <summary>
/// The PostgreSQL store in a new schema of the server named by <c>IMAGEVOLUMECACHE_POSTGRES</c> (start one with
/// <c>eval "$(eng/postgres.sh start)"</c>), over loopback, at 1,000 and 100,000 entries; the schema is dropped afterwards.
/// The entries are seeded with one binary <c>COPY</c> into the store's own table (its trigger keeps the totals), untimed.
/// <see cref="NpgsqlAlone"/> runs the statement of lookup-and-touch with Npgsql alone, on a data source of its own with
/// the store's settings, side by side: the floor a store call on this machine cannot go under.
/// </summary>
public class PostgreSqlStoreBenchmarks : CacheEntryStoreBenchmarks
{
    private const string Variable = "IMAGEVOLUMECACHE_POSTGRES";

    private string? _schema;
    private NpgsqlDataSource? _alone;
    private string _touch = "";
    private long _aloneClock;

    [Params(1_000, 100_000)]
    public override int Entries { get; set; }

    protected override ICacheEntryStore CreateStore()
    {
        _schema = "ivc_bench_" + Guid.NewGuid().ToString("N")[..12];
        return new PostgreSqlCacheEntryStore(new PostgreSqlCacheEntryStoreOptions { ConnectionString = ConnectionString(), Schema = _schema });
    }

    /// <summary>
    /// Makes the schema through the store, then copies every entry in with the totals trigger off and writes the totals
    /// once (a trigger firing per copied row would rewrite one totals row 100,000 times in one transaction), in one
    /// transaction, so the table is never seen with its trigger off; then analyzes the table, as autovacuum soon would.
    /// </summary>
    protected override void Populate(ICacheEntryStore store, IEnumerable<ImageCacheEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(entries);
        var postgres = (PostgreSqlCacheEntryStore)store;
        postgres.InitializeAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        string schema = $"\"{postgres.Schema}\"";
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString()) { CommandTimeout = 600 }.ConnectionString);
        connection.Open();
        using (NpgsqlTransaction transaction = connection.BeginTransaction())
        {
            Execute(connection, $"ALTER TABLE {schema}.cache_entries DISABLE TRIGGER cache_entries_totals");
            using (NpgsqlBinaryImporter copy = connection.BeginBinaryImport(
                $"COPY {schema}.cache_entries (scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (ImageCacheEntry entry in entries)
                {
                    copy.StartRow();
                    copy.Write(entry.ScopeKey, NpgsqlDbType.Text);
                    copy.Write(entry.Host, NpgsqlDbType.Text);
                    if (entry.Cluster is null)
                    {
                        copy.WriteNull();
                    }
                    else
                    {
                        copy.Write(entry.Cluster, NpgsqlDbType.Text);
                    }

                    copy.Write(entry.ImageId, NpgsqlDbType.Text);
                    copy.Write(entry.ImageUpdatedAt.UtcTicks, NpgsqlDbType.Bigint);
                    copy.Write(entry.VolumeId, NpgsqlDbType.Text);
                    copy.Write((long)entry.SizeGb, NpgsqlDbType.Bigint);
                    copy.Write(entry.CreatedAt.UtcTicks, NpgsqlDbType.Bigint);
                    copy.Write(entry.LastUsed.UtcTicks, NpgsqlDbType.Bigint);
                }

                copy.Complete();
            }

            Execute(connection, $"ALTER TABLE {schema}.cache_entries ENABLE TRIGGER cache_entries_totals");
            Execute(connection, $"""
                INSERT INTO {schema}.scope_totals (scope_key, entry_count, size_gb)
                SELECT scope_key, count(*), sum(size_gb) FROM {schema}.cache_entries GROUP BY scope_key
                """);
            transaction.Commit();
        }

        Execute(connection, $"VACUUM ANALYZE {schema}.cache_entries");
    }

    /// <summary>
    /// The store's lookup-and-touch statement (an <c>UPDATE … RETURNING</c> of one row by its unique key) run by Npgsql
    /// alone: a command of a data source, auto-prepared, its row read, as the store does, with nothing of the store.
    /// </summary>
    [Benchmark]
    public async ValueTask<long> NpgsqlAlone()
    {
        await using NpgsqlCommand command = TouchAlone();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        return await reader.ReadAsync().ConfigureAwait(false) ? reader.GetInt64(0) : 0;
    }

    /// <summary>The same statement as <see cref="NpgsqlAlone"/>, with Npgsql's blocking calls: no thread hop on completion.</summary>
    [Benchmark]
    public long NpgsqlAloneBlocking()
    {
        using NpgsqlCommand command = TouchAlone();
        using NpgsqlDataReader reader = command.ExecuteReader();
        return reader.Read() ? reader.GetInt64(0) : 0;
    }

    /// <summary>The lookup-and-touch statement of the next entry, on the data source of <see cref="NpgsqlAlone"/>.</summary>
    private NpgsqlCommand TouchAlone()
    {
        NpgsqlCommand command = Alone().CreateCommand(_touch);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Interlocked.Increment(ref _aloneClock) + DateTimeOffset.UtcNow.UtcTicks });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Host });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ImageId(_aloneClock % Entries) });
        return command;
    }

    private NpgsqlDataSource Alone()
    {
        if (_alone is null)
        {
            var builder = new NpgsqlDataSourceBuilder(ConnectionString());
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            builder.ConnectionStringBuilder.NoResetOnClose = true;
            _alone = builder.Build();
            _touch = $"UPDATE \"{_schema}\".cache_entries SET last_used = $1 WHERE scope_key = $2 AND image_id = $3 "
                + "RETURNING id, scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used";
        }

        return _alone;
    }

    protected override void DisposeStore(ICacheEntryStore store)
    {
        _alone?.Dispose();
        base.DisposeStore(store);
        if (_schema is not null)
        {
            using var connection = new NpgsqlConnection(ConnectionString());
            connection.Open();
            Execute(connection, $"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static string ConnectionString() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{Variable} does not name a PostgreSQL server; start one with: eval \"$(eng/postgres.sh start)\".");
}
