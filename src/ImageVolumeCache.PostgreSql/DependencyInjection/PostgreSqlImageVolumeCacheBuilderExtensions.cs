using ImageVolumeCache;
using ImageVolumeCache.PostgreSql;
using ImageVolumeCache.PostgreSql.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps the image-volume cache's entries in a PostgreSQL database shared by the hosts of a cluster.</summary>
public static class PostgreSqlImageVolumeCacheBuilderExtensions
{
    /// <summary>
    /// Keeps cache entries in PostgreSQL, in the schema <c>image_volume_cache</c>, instead of memory. The schema is made or
    /// migrated at host start-up; a server that cannot be reached there stops the host with a
    /// <see cref="CacheEntryStoreException"/> naming it.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db1;Database=cinder;Username=cinder;Password=…</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or white space.</exception>
    public static IImageVolumeCacheBuilder UsePostgreSqlStore(this IImageVolumeCacheBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSqlStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>Keeps cache entries in PostgreSQL as options describe, validated at start-up (messages name the option).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UsePostgreSqlStore(this IImageVolumeCacheBuilder builder, Action<PostgreSqlCacheEntryStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        IServiceCollection services = builder.Services;
        services.AddOptions<PostgreSqlCacheEntryStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlCacheEntryStoreOptions>, PostgreSqlCacheEntryStoreOptionsValidator>());
        services.TryAddSingleton(sp => new PostgreSqlCacheEntryStore(
            sp.GetRequiredService<IOptions<PostgreSqlCacheEntryStoreOptions>>().Value,
            sp.GetService<ILogger<PostgreSqlCacheEntryStore>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlStoreStartupCheck>());
        return builder.UseStore(sp => sp.GetRequiredService<PostgreSqlCacheEntryStore>());
    }
}
