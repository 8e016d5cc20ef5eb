using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>Start-up validation of <see cref="SqliteCacheEntryStoreOptions"/>; each message names the option.</summary>
internal sealed class SqliteCacheEntryStoreOptionsValidator : IValidateOptions<SqliteCacheEntryStoreOptions>
{
    private const string Prefix = nameof(SqliteCacheEntryStoreOptions) + ".";

    /// <summary>Touches are written at least every second, so that other processes see this one's LRU order that late at most.</summary>
    internal static readonly TimeSpan MaxTouchWriteInterval = TimeSpan.FromSeconds(1);

    public ValidateOptionsResult Validate(string? name, SqliteCacheEntryStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        bool hasPath = !string.IsNullOrWhiteSpace(options.DatabasePath);
        bool hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (hasPath == hasConnectionString)
        {
            failures.Add($"Set exactly one of {Prefix}{nameof(options.DatabasePath)} and {Prefix}{nameof(options.ConnectionString)} (UseSqliteStore).");
        }
        else if (hasConnectionString)
        {
            ValidateConnectionString(options.ConnectionString!, failures);
        }

        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            failures.Add($"{Prefix}{nameof(options.BusyTimeout)} must be between 0 and {TimeSpan.FromMilliseconds(int.MaxValue)}, but was {options.BusyTimeout}.");
        }

        if (options.MaxConnections < 1)
        {
            failures.Add($"{Prefix}{nameof(options.MaxConnections)} must be 1 or more, but was {options.MaxConnections}.");
        }

        if (options.TouchWriteInterval < TimeSpan.Zero || options.TouchWriteInterval > MaxTouchWriteInterval)
        {
            failures.Add($"{Prefix}{nameof(options.TouchWriteInterval)} must be from 0 to {MaxTouchWriteInterval}, but was {options.TouchWriteInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConnectionString(string connectionString, List<string> failures)
    {
        const string Key = Prefix + nameof(SqliteCacheEntryStoreOptions.ConnectionString);
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{Key} is not a valid SQLite connection string: {ex.Message}");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            failures.Add($"{Key} must name a database file in Data Source; an in-memory database would lose every entry.");
        }
        else if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            failures.Add($"{Key} opens the database read-only (Mode=ReadOnly); the store writes entries.");
        }
    }
}
