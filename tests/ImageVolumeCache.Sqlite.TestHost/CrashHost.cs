using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    /// <summary>Builds the services over the given folders and database file (at most <paramref name="maxCount"/> entries); the caller starts the hosted services.</summary>
    public static ServiceProvider Build(string volumes, string images, string database, Func<IVolumeDriver, IVolumeDriver>? wrap = null, int maxCount = 2)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = volumes });
        IVolumeDriver backend = wrap is null ? driver : wrap(driver);
        services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = "cache-project";
                o.InternalTenant.UserId = "cache-user";
                o.Defaults.MaxCount = maxCount;
            })
            .AddBackend(Backend, _ => backend)
            .UseFolderImageService(images)
            .UseSqliteStore(database);
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

    /// <summary>Creates the user's volume <paramref name="volumeId"/> from an image.</summary>
    public static Task<CreateVolumeFromImageResult> CreateAsync(IServiceProvider services, string volumeId, string imageId, int sizeGb) =>
        services.GetRequiredService<CreateFromImagePipeline>().CreateAsync(
            new CreateVolumeFromImageRequest(Requester, new VolumeSpec(volumeId, Backend, sizeGb) { ProjectId = Requester.ProjectId, UserId = Requester.UserId }, imageId),
            CancellationToken.None).AsTask();
}
