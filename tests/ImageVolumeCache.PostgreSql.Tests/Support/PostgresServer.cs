using Npgsql;

namespace ImageVolumeCache.PostgreSql.Tests.Support;

/// <summary>
/// The PostgreSQL server that <c>eng/postgres.sh start</c> runs and <c>.ci/run</c> names in
/// <c>IMAGEVOLUMECACHE_POSTGRES</c> (an Npgsql connection string). Tests that need it are ignored (counted as skipped)
/// when it is not set, except under <c>CI=true</c>, where a missing server is a failure rather than a silent skip.
/// Each test works in a schema of its own with a random name, dropped afterwards, so tests never see each other's rows.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "IMAGEVOLUMECACHE_POSTGRES";

    /// <summary>The connection string, or ignores the calling test when there is none.</summary>
    public static string Require()
    {
        string? connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            string why = $"{Variable} does not name a PostgreSQL server; start one with eng/postgres.sh start (eval its output), as .ci/run does.";
            RealComponent.Missing(why);
        }

        return connectionString!;
    }

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchemaName() => "ivc_test_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Options of a store in a new schema of the test server.</summary>
    public static PostgreSqlCacheEntryStoreOptions NewStoreOptions() => new() { ConnectionString = Require(), Schema = NewSchemaName() };

    /// <summary>Runs a statement on the test server, outside any store (to tamper with rows, or drop a schema).</summary>
    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Reads one value from the test server.</summary>
    public static async Task<object?> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        object? value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// Closes a contract suite's store and drops its schema; nothing when there is none (the server was missing and the
    /// test ignored, or failed, before a store was made).
    /// </summary>
    public static async ValueTask DisposeStoreAsync(PostgreSqlCacheEntryStore? store)
    {
        if (store is not null)
        {
            await store.DisposeAsync();
            await DropSchemaAsync(store.Schema);
        }
    }

    /// <summary>Drops a test schema with everything in it; nothing when there is no server or no such schema.</summary>
    public static async Task DropSchemaAsync(string schema)
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
        {
            await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        }
    }
}
