using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite.Tests.Support;

/// <summary>
/// A database file seen from outside the store: raw SQL to make foreign files, tamper with rows and read them back, and
/// the outcome of a store's start-up on the file.
/// </summary>
internal static class SqliteFile
{
    /// <summary>Runs SQL on its own connection (closed at once, no pooling) and returns the first column of the first row.</summary>
    public static object? Query(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public static void Execute(string path, string sql) => Query(path, sql);

    /// <summary>What <c>EXPLAIN QUERY PLAN</c> says of a statement (its <c>detail</c> column), each named parameter bound to a text.</summary>
    public static IReadOnlyList<string> QueryPlan(string path, string sql, params string[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (string name in parameters)
        {
            command.Parameters.AddWithValue(name, "x");
        }

        using SqliteDataReader reader = command.ExecuteReader();
        var details = new List<string>();
        while (reader.Read())
        {
            details.Add(reader.GetString(3));
        }

        return details;
    }

    /// <summary>The SHA-256 of the file's bytes, to show that a file was left exactly as it was.</summary>
    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Initialises a store on the file and returns the exception it refused the file with, or <see langword="null"/>.</summary>
    public static async Task<CacheEntryStoreException?> InitializeFailureAsync(string path)
    {
        using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path });
        try
        {
            await store.InitializeAsync(CancellationToken.None);
            return null;
        }
        catch (CacheEntryStoreException ex)
        {
            return ex;
        }
    }
}
