using ImageVolumeCache;
using ImageVolumeCache.Sqlite;
using ImageVolumeCache.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps the image-volume cache's entries in a SQLite file.</summary>
public static class SqliteImageVolumeCacheBuilderExtensions
{
    /// <summary>
    /// Keeps cache entries in a SQLite file instead of memory, so that they survive restarts. The file is opened, checked
    /// and migrated at host start-up; an unreadable or corrupt file, or one that is not the store's (another
    /// application's database), stops the host with a <see cref="CacheEntryStoreException"/> naming it.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="pathOrConnectionString">
    /// A database file path (made when missing; its folder must exist), or a connection string with <c>Data Source=</c>.
    /// </param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseSqliteStore(this IImageVolumeCacheBuilder builder, string pathOrConnectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrConnectionString);
        bool isConnectionString = IsConnectionString(pathOrConnectionString);
        return builder.UseSqliteStore(options =>
        {
            options.ConnectionString = isConnectionString ? pathOrConnectionString : null;
            options.DatabasePath = isConnectionString ? null : pathOrConnectionString;
        });
    }

    /// <summary>Keeps cache entries in a SQLite file described by options, validated at start-up.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseSqliteStore(this IImageVolumeCacheBuilder builder, Action<SqliteCacheEntryStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        IServiceCollection services = builder.Services;
        services.AddOptions<SqliteCacheEntryStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteCacheEntryStoreOptions>, SqliteCacheEntryStoreOptionsValidator>());
        services.TryAddSingleton(sp => new SqliteCacheEntryStore(
            sp.GetRequiredService<IOptions<SqliteCacheEntryStoreOptions>>().Value,
            sp.GetService<ILogger<SqliteCacheEntryStore>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqliteStoreStartupCheck>());
        return builder.UseStore(sp => sp.GetRequiredService<SqliteCacheEntryStore>());
    }

    /// <summary>A connection string parses as one and names a data source; a path (even one holding '=') does not.</summary>
    private static bool IsConnectionString(string value)
    {
        if (!value.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            return !string.IsNullOrEmpty(new SqliteConnectionStringBuilder(value).DataSource);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
