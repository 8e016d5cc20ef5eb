using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// What the members of one cluster share: one entry store, one storage, one image service, one notifier, one clock and
/// one log; each member is its own service provider that registers only its own backend, configured to serve
/// <see cref="Cluster"/>. The store is <see cref="Store"/> (in memory), or each member's own store on one shared database.
/// </summary>
/// <param name="useStore">Registers a member's store on the shared database; by default every member uses <see cref="Store"/>.</param>
public sealed class SharedCluster(Action<IImageVolumeCacheBuilder>? useStore = null)
{
    public const string Cluster = "cluster1@lvm";

    /// <summary>The store of every member, unless the cluster was made with a store of its own.</summary>
    public InMemoryCacheEntryStore Store { get; } = new();

    public InMemoryVolumeDriver Storage { get; } = new();

    public InMemoryImageService Images { get; } = new();

    public RecordingNotifier Notifier { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeLogCollector LogCollector { get; } = new();

    /// <summary>A member serving <paramref name="backend"/>, configured to serve <paramref name="cluster"/> (none when <see langword="null"/>).</summary>
    public ServiceProvider Member(string backend, string? cluster = Cluster, Action<BackendCacheOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        if (useStore is null)
        {
            services.AddSingleton<ICacheEntryStore>(Store);
        }

        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(LogCollector)));
        IImageVolumeCacheBuilder builder = services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = CacheHarness.InternalProject;
                o.InternalTenant.UserId = CacheHarness.InternalUser;
                var own = new BackendCacheOptions { Cluster = cluster };
                configure?.Invoke(own);
                o.Backends[backend] = own;
            })
            .AddBackend(backend, _ => Storage)
            .UseImageService(_ => Images)
            .UseNotifier(_ => Notifier);
        useStore?.Invoke(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Makes a volume from an image on a member, for a host (with its pool) and the cluster it names (none when <see langword="null"/>).</summary>
    public static ValueTask<CreateVolumeFromImageResult> CreateAsync(IServiceProvider member, string host, string volumeId, string imageId = "img", string? cluster = Cluster)
    {
        var requester = new RequestContext("user-project", "user-1");
        var volume = new VolumeSpec(volumeId, host, 1) { Cluster = cluster, ProjectId = requester.ProjectId, UserId = requester.UserId };
        return member.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(requester, volume, imageId));
    }

    public IReadOnlyList<FakeLogRecord> Logs(int eventId) => LogCollector.GetSnapshot().Where(r => r.Id.Id == eventId).ToList();
}
