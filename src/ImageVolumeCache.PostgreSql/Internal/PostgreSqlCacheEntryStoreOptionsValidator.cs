using Microsoft.Extensions.Options;
using Npgsql;

namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>Start-up validation of <see cref="PostgreSqlCacheEntryStoreOptions"/>; each message names the option.</summary>
internal sealed class PostgreSqlCacheEntryStoreOptionsValidator : IValidateOptions<PostgreSqlCacheEntryStoreOptions>
{
    private const string Prefix = nameof(PostgreSqlCacheEntryStoreOptions) + ".";

    /// <summary>Touches are written at least every second, so that other hosts see this one's LRU order that late at most.</summary>
    internal static readonly TimeSpan MaxTouchWriteInterval = TimeSpan.FromSeconds(1);

    /// <summary>PostgreSQL's identifier limit (NAMEDATALEN - 1 bytes); the schema is ASCII, so characters.</summary>
    private const int MaxIdentifierLength = 63;

    public ValidateOptionsResult Validate(string? name, PostgreSqlCacheEntryStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateConnectionString(options.ConnectionString, failures);
        string? schemaProblem = SchemaProblem(options.Schema);
        if (schemaProblem is not null)
        {
            failures.Add($"{Prefix}{nameof(options.Schema)} {schemaProblem}");
        }

        if (options.TouchWriteInterval < TimeSpan.Zero || options.TouchWriteInterval > MaxTouchWriteInterval)
        {
            failures.Add($"{Prefix}{nameof(options.TouchWriteInterval)} must be from 0 to {MaxTouchWriteInterval}, but was {options.TouchWriteInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConnectionString(string? connectionString, List<string> failures)
    {
        const string Key = Prefix + nameof(PostgreSqlCacheEntryStoreOptions.ConnectionString);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"{Key} must be set (UsePostgreSqlStore), for example \"Host=db1;Database=cinder;Username=cinder;Password=…\".");
            return;
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // The parser's message names the keyword or value it refused, never the whole string (which may hold a password).
            failures.Add($"{Key} is not a valid Npgsql connection string: {ex.Message}");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            failures.Add($"{Key} must name the server in Host.");
        }
    }

    /// <summary>Why a schema name cannot be used, or <see langword="null"/>.</summary>
    private static string? SchemaProblem(string? schema)
    {
        if (string.IsNullOrEmpty(schema))
        {
            return "must be set (default image_volume_cache).";
        }

        if (schema.Length > MaxIdentifierLength)
        {
            return $"must be at most {MaxIdentifierLength} characters, but was {schema.Length}.";
        }

        bool valid = (char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')
            && schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
        if (!valid)
        {
            return $"must be lower-case letters a-z, digits and '_', starting with a letter or '_', but was '{schema}'.";
        }

        return schema.StartsWith("pg_", StringComparison.Ordinal)
            ? $"must not start with 'pg_' (reserved by PostgreSQL), but was '{schema}'."
            : null;
    }
}
