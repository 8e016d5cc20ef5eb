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
    private void RequireInternalTenant(string command, string cacheSection)
    {
        if (InternalTenant is null)
        {
            throw new ToolUsageException(
                $"ivc {command} changes the cache, and the configuration names no internal tenant ({cacheSection}:InternalTenant:ProjectId and UserId) to tell "
                + "its cache volumes from others'. Point --config at the host's configuration file (and --section at its cache section).");
        }
    }

    /// <summary>The cache's options as the configuration sets them.</summary>
    public ImageVolumeCacheOptions Options => _services.GetRequiredService<IOptions<ImageVolumeCacheOptions>>().Value;

    /// <summary>The image service, when one is registered (the folder's, or a plug-in's).</summary>
    public IImageService? ImageService => _services.GetService<IImageService>();

    /// <summary>The internal tenant, when the configuration names it.</summary>
    public InternalTenantOptions? InternalTenant =>
        Options.InternalTenant is { ProjectId: { Length: > 0 }, UserId: { Length: > 0 } } tenant ? tenant : null;

    /// <summary>
    /// Whether <paramref name="backend"/> serves the scope <paramref name="scopeKey"/>: its own (<c>host@backend</c> and its
    /// pools) or its cluster's (<c>Backends:&lt;backend&gt;:Cluster</c> and its pools), which it shares with the other members.
    /// </summary>
    public bool Serves(string backend, string scopeKey)
    {
        static bool Under(string key, string name) =>
            string.Equals(key, name, StringComparison.Ordinal) || (key.StartsWith(name, StringComparison.Ordinal) && key.Length > name.Length && key[name.Length] == '#');
        return Under(scopeKey, backend)
            || (Options.Backends.TryGetValue(backend, out BackendCacheOptions? own) && own.Cluster is { Length: > 0 } cluster && Under(scopeKey, BackendNames.FromHost(cluster)));
    }

    /// <summary>Whether the cache is on for <paramref name="backend"/> (<c>Backends:&lt;backend&gt;:Enabled</c>, else <c>Defaults:Enabled</c>).</summary>
    public bool IsEnabled(string backend) =>
        InternalTenant is not null
        && (Options.Backends.TryGetValue(backend, out BackendCacheOptions? own) && own.Enabled is { } enabled ? enabled : Options.Defaults.Enabled);

    /// <summary>
    /// Builds the services, checks what the command needs (<paramref name="needs"/>) and opens the store. A problem found
    /// before anything could change is a <see cref="ToolUsageException"/>; a store that cannot be opened a
    /// <see cref="CacheEntryStoreException"/>.
    /// </summary>
    public static async Task<ToolHost> OpenAsync(ToolSettings settings, ToolNeeds needs, string command, CancellationToken cancellationToken)
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
            if (needs.HasFlag(ToolNeeds.ChangesCache))
            {
                host.RequireInternalTenant(command, settings.CacheSection);
            }

            if (needs.HasFlag(ToolNeeds.ImageService) && host.ImageService is null)
            {
                throw new ToolUsageException(
                    $"ivc {command} needs the host's image service, and none is configured: give --image-folder DIR, set {settings.ToolSection}:ImageFolder, or load a plug-in (--plugin) that registers the host's.");
            }

            await ToolPreflight.CheckStoreExistsAsync(settings, cancellationToken);
            await host.OpenStoreAsync(cancellationToken);
            bool checkFolders = needs.HasFlag(ToolNeeds.ChangesCache) && settings.FileSystemBackends.Count > 0;
            bool checkImages = needs.HasFlag(ToolNeeds.KnownImages);
            if (checkFolders || checkImages)
            {
                // One listing for both checks.
                IReadOnlyList<ImageCacheEntry> entries = await host.Cache.ListAsync(null, cancellationToken);
                if (checkFolders)
                {
                    await ToolPreflight.CheckBackendFoldersAsync(settings, host, entries, cancellationToken);
                }

                if (checkImages)
                {
                    await ToolPreflight.CheckImagesKnownAsync(host, entries, cancellationToken);
                }
            }

            return host;
        }
        catch
        {
            await host.DisposeAsync();
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
                await service.StartAsync(cancellationToken);
            }
            catch (OptionsValidationException ex)
            {
                throw new ToolUsageException($"The store configuration is refused: {ex.Message}");
            }
        }
    }
}
