using Npgsql;

namespace ImageVolumeCache.Sample.Tests;

/// <summary>
/// A database of its own, with a random name, on the PostgreSQL server named by <c>IMAGEVOLUMECACHE_POSTGRES</c>
/// (<c>eval "$(eng/postgres.sh start)"</c> sets it, as <c>.ci/run</c> does); dropped on dispose. Without the variable
/// the calling test is ignored, except under <c>CI=true</c>, where it fails.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private const string Variable = "IMAGEVOLUMECACHE_POSTGRES";

    private readonly string _server;
    private readonly string _name;

    private PostgresDatabase(string server, string name, string connectionString)
    {
        _server = server;
        _name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string of the new database.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        string? server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            string why = $"{Variable} does not name a PostgreSQL server; start one with eng/postgres.sh start (eval its output), as .ci/run does.";
            RealComponent.Missing(why);
        }

        string name = "ivc_sample_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync(server!, $"CREATE DATABASE \"{name}\"");
        return new PostgresDatabase(server!, name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
    }

    /// <summary>Drops the database; <c>FORCE</c> ends any connection still open on it (a pool the sample left idle).</summary>
    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
