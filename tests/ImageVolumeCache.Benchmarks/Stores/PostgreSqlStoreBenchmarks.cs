using BenchmarkDotNet.Attributes;
using ImageVolumeCache.PostgreSql;
using Npgsql;

namespace ImageVolumeCache.Benchmarks.Stores;

/// <summary>
/// The PostgreSQL store in a new schema of the server named by <c>IMAGEVOLUMECACHE_POSTGRES</c> (start one with
/// <c>eval "$(eng/postgres.sh start)"</c>), over loopback, at 1,000 entries; the schema is dropped afterwards.
/// </summary>
public class PostgreSqlStoreBenchmarks : CacheEntryStoreBenchmarks
{
    private const string Variable = "IMAGEVOLUMECACHE_POSTGRES";

    private string? _schema;

    [Params(1_000)]
    public override int Entries { get; set; }

    protected override ICacheEntryStore CreateStore()
    {
        _schema = "ivc_bench_" + Guid.NewGuid().ToString("N")[..12];
        return new PostgreSqlCacheEntryStore(new PostgreSqlCacheEntryStoreOptions { ConnectionString = ConnectionString(), Schema = _schema });
    }

    protected override void DisposeStore(ICacheEntryStore store)
    {
        base.DisposeStore(store);
        if (_schema is not null)
        {
            using var connection = new NpgsqlConnection(ConnectionString());
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", connection);
            drop.ExecuteNonQuery();
        }
    }

    private static string ConnectionString() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{Variable} does not name a PostgreSQL server; start one with: eval \"$(eng/postgres.sh start)\".");
}
