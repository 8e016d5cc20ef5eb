using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// The host of the crash test, built the same way by the child that is killed and by the test that restarts it: one
/// file-system backend, a folder image service, the SQLite store, and a cache of at most two entries, so that
/// requests for a few images keep evicting.
/// </summary>
public static class CrashHost
{
    /// <summary>The backend the volumes are made on.</summary>
    public const string Backend = "host1@fs";

    /// <summary>The prefix of the ids of the users' volumes; cache volumes have GUIDs as ids.</summary>
    public const string TargetPrefix = "target-";

    /// <summary>The project and user requesting volumes; the images are public.</summary>
    public static readonly RequestContext Requester = new("user-project", "user-1");

    /// <summary>The prefix of a store argument that names a PostgreSQL schema instead of a SQLite file: <c>postgres:&lt;schema&gt;:&lt;connection string&gt;</c>.</summary>
    public const string PostgresStorePrefix = "postgres:";

    /// <summary>
    /// Builds the services over the given folders and store (at most <paramref name="maxCount"/> entries); the caller
    /// starts the hosted services. <paramref name="store"/> is a SQLite file, or <c>postgres:&lt;schema&gt;:&lt;connection
    /// string&gt;</c>. <paramref name="backend"/> names this host's backend; with <paramref name="cluster"/> it serves that
    /// cluster with other hosts. <paramref name="fillLeaseDuration"/> overrides the default fill lease (a host that is
    /// killed on purpose holds short leases, so that the next host does not wait long for them to run out), and
    /// <paramref name="configure"/> sets any other option. With <paramref name="logWarnings"/>, warnings and errors are
    /// written to the error stream (a child process's, which the test reads when it fails).
    /// </summary>
    public static ServiceProvider Build(
        string volumes, string images, string store, Func<IVolumeDriver, IVolumeDriver>? wrap = null, int maxCount = 2, string backend = Backend, string? cluster = null,
        TimeSpan? fillLeaseDuration = null, Action<ImageVolumeCacheOptions>? configure = null, bool logWarnings = false)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (logWarnings)
            {
                // A child process's warnings go to its error stream, which the test shows when it fails.
                logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true);
                logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            }
        });
        var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = backend, Directory = volumes });
        IVolumeDriver wrapped = wrap is null ? driver : wrap(driver);
        IImageVolumeCacheBuilder builder = services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = "cache-project";
                o.InternalTenant.UserId = "cache-user";
                o.Defaults.MaxCount = maxCount;
                o.FillLeaseDuration = fillLeaseDuration ?? o.FillLeaseDuration;
                if (cluster is not null)
                {
                    o.Backends[backend] = new BackendCacheOptions { Cluster = cluster };
                }

                configure?.Invoke(o);
            })
            .AddBackend(backend, _ => wrapped)
            .UseFolderImageService(images);
        if (store.StartsWith(PostgresStorePrefix, StringComparison.Ordinal))
        {
            string[] parts = store[PostgresStorePrefix.Length..].Split(':', 2);
            builder.UsePostgreSqlStore(o =>
            {
                o.Schema = parts[0];
                o.ConnectionString = parts[1];
            });
        }
        else
        {
            builder.UseSqliteStore(store);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Starts the hosted services: the start-up checks and the reconciliation of every backend.</summary>
    public static async Task StartAsync(IServiceProvider services)
    {
        foreach (IHostedService service in services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Creates the user's volume <paramref name="volumeId"/> from an image, on <paramref name="backend"/> (in <paramref name="cluster"/> when given).</summary>
    public static Task<CreateVolumeFromImageResult> CreateAsync(IServiceProvider services, string volumeId, string imageId, int sizeGb, string backend = Backend, string? cluster = null) =>
        services.GetRequiredService<CreateFromImagePipeline>().CreateAsync(
            new CreateVolumeFromImageRequest(Requester, new VolumeSpec(volumeId, backend, sizeGb) { Cluster = cluster, ProjectId = Requester.ProjectId, UserId = Requester.UserId }, imageId),
            CancellationToken.None).AsTask();
}
