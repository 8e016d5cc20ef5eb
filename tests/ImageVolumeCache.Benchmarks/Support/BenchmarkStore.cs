using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>
/// The entry store a benchmark runs the cache on, by name (case aside): <c>InMemory</c> (the default store), <c>SQLite</c>
/// on a file in a new temporary folder, or <c>PostgreSQL</c> in a new schema on the server <c>IMAGEVOLUMECACHE_POSTGRES</c>
/// names. Disposing deletes the folder or drops the schema.
/// </summary>
public sealed class BenchmarkStore : IDisposable
{
    public const string PostgresVariable = "IMAGEVOLUMECACHE_POSTGRES";

    public BenchmarkStore(string store, string prefix)
    {
        if (string.Equals(store, "SQLite", StringComparison.OrdinalIgnoreCase))
        {
            Folder = Directory.CreateTempSubdirectory($"ivc-{prefix}-").FullName;
            string path = Path.Combine(Folder, "cache.db");
            Configure = builder => builder.UseSqliteStore(path);
        }
        else if (string.Equals(store, "PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            ConnectionString = Environment.GetEnvironmentVariable(PostgresVariable)
                ?? throw new InvalidOperationException($"{PostgresVariable} names no PostgreSQL server.");
            string schema = $"ivc_{prefix}_" + Guid.NewGuid().ToString("N")[..12];
            Schema = schema;
            string connectionString = ConnectionString;
            Configure = builder => builder.UsePostgreSqlStore(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema;
            });
        }
    }

    /// <summary>Sets the store on the cache's builder; <see langword="null"/> for the in-memory store.</summary>
    public Action<IImageVolumeCacheBuilder>? Configure { get; }

    /// <summary>The SQLite store's folder (its file is <c>cache.db</c>), when it is SQLite.</summary>
    public string? Folder { get; }

    /// <summary>The PostgreSQL store's schema, when it is PostgreSQL.</summary>
    public string? Schema { get; }

    /// <summary>The PostgreSQL server's connection string, when it is PostgreSQL.</summary>
    public string? ConnectionString { get; }

    public void Dispose()
    {
        if (Folder is not null)
        {
            Directory.Delete(Folder, recursive: true);
        }

        if (Schema is not null)
        {
            using var dataSource = NpgsqlDataSource.Create(ConnectionString!);
            using NpgsqlCommand drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
            drop.ExecuteNonQuery();
        }
    }
}
