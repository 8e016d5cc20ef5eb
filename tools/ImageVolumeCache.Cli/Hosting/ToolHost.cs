using ImageVolumeCache.Cli.Configuration;
using ImageVolumeCache.Cli.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Cli.Hosting;

/// <summary>
/// The cache as a host registers it, opened for one command: the cache options bound from the host's section and
/// validated, the store, the backends and the image service. Of the hosted services it starts only those that open the
/// store (and a plug-in's): never the cache's own start-up work (reconciliation, scratch sweeping) or its background work
/// (trimming, warming), which are the serving hosts' and the explicit commands'. Warnings go to the error stream.
/// </summary>
internal sealed class ToolHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ToolHost(ServiceProvider services) => _services = services;

    public IImageVolumeCache Cache => _services.GetRequiredService<IImageVolumeCache>();

    public HealthCheckService Health => _services.GetRequiredService<HealthCheckService>();

    /// <summary>
    /// Stops a command that changes the cache when the configuration names no internal tenant: the cache then cannot tell
    /// its cache volumes from anyone else's, so it would drop entries and leave their volumes (and is off for requests).
    /// </summary>
    public void RequireInternalTenant(string command, string cacheSection)
    {
        InternalTenantOptions tenant = _services.GetRequiredService<IOptions<ImageVolumeCacheOptions>>().Value.InternalTenant;
        if (string.IsNullOrWhiteSpace(tenant.ProjectId) || string.IsNullOrWhiteSpace(tenant.UserId))
        {
            throw new ToolUsageException(
                $"ivc {command} changes the cache, and the configuration names no internal tenant ({cacheSection}:InternalTenant:ProjectId and UserId) to tell "
                + "its cache volumes from others'. Point --config at the host's configuration file (and --section at its cache section).");
        }
    }

    /// <summary>Whether an image service is registered (the folder's, or a plug-in's): warming downloads from it.</summary>
    public bool HasImageService => _services.GetService<IImageService>() is not null;

    /// <summary>Builds the services and opens the store; a configuration the cache refuses is a <see cref="ToolUsageException"/>.</summary>
    public static async Task<ToolHost> OpenAsync(ToolSettings settings, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSingleton(settings.Configuration);
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true);
            logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        IImageVolumeCacheBuilder cache = services.AddImageVolumeCache(settings.Configuration.GetSection(settings.CacheSection));
        try
        {
            foreach ((string name, string directory) in settings.FileSystemBackends)
            {
                cache.AddFileSystemBackend(name, directory);
            }
        }
        catch (ArgumentException ex)
        {
            throw new ToolUsageException($"A file-system backend cannot be added: {ex.Message}");
        }

        if (settings.ImageFolder is { } images)
        {
            cache.UseFolderImageService(images);
        }

        if (settings.Store == StoreKind.Sqlite)
        {
            cache.UseSqliteStore(settings.SqlitePath!);
        }
        else
        {
            cache.UsePostgreSqlStore(o =>
            {
                o.ConnectionString = settings.PostgreSqlConnection;
                o.Schema = settings.PostgreSqlSchema ?? o.Schema;
            });
        }

        ToolPlugins.Configure(cache, settings.Configuration, settings.Plugins);
        services.AddHealthChecks().AddImageVolumeCache();

        ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
        var host = new ToolHost(provider);
        try
        {
            ValidateOptions(provider);
            await host.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>The options a host validates at start-up: a value the cache refuses names its key.</summary>
    private static void ValidateOptions(IServiceProvider provider)
    {
        try
        {
            _ = provider.GetRequiredService<IOptions<ImageVolumeCacheOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new ToolUsageException($"The cache configuration is refused: {ex.Message}");
        }
    }

    private async Task OpenStoreAsync(CancellationToken cancellationToken)
    {
        var cacheAssembly = typeof(IImageVolumeCache).Assembly;
        foreach (IHostedService service in _services.GetServices<IHostedService>().Where(s => s.GetType().Assembly != cacheAssembly))
        {
            try
            {
                await service.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OptionsValidationException ex)
            {
                throw new ToolUsageException($"The store configuration is refused: {ex.Message}");
            }
        }
    }
}
