using System.Diagnostics.Metrics;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// A service provider wired the way a host wires the cache, with the shared fakes: an in-memory driver per backend, an
/// in-memory image service, a recording notifier (or the test's own), the in-memory entry store (or the test's own), a
/// fake clock, a fake logger and the host's meter factory. One per test.
/// </summary>
public sealed class CacheHarness : IDisposable
{
    public const string Backend = "host1@lvm";
    public const string OtherBackend = "host2@lvm";
    public const string InternalProject = "internal-project";
    public const string InternalUser = "internal-user";
    public const long GiB = 1L << 30;

    private readonly ServiceProvider _provider;

    // Images that need conversion are downloaded here, never into the user's own scratch folder.
    private readonly TemporaryDirectory _scratch = new();

    // driver: what serves Backend, made from Driver (a wrapper of it, say); by default Driver itself.
    public CacheHarness(Action<ImageVolumeCacheOptions>? configure = null, bool internalTenant = true, IImageVolumeCacheNotifier? notifier = null, ICacheEntryStore? store = null, Func<InMemoryVolumeDriver, IVolumeDriver>? driver = null)
    {
        var services = new ServiceCollection();
        if (store is not null)
        {
            services.AddSingleton(store);
        }

        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(LogCollector)).AddProvider(LogSignals));
        services.AddMetrics();
        services.AddImageVolumeCache(options =>
            {
                if (internalTenant)
                {
                    options.InternalTenant.ProjectId = InternalProject;
                    options.InternalTenant.UserId = InternalUser;
                }

                options.Conversion.ScratchDirectory = _scratch.Path;
                configure?.Invoke(options);
            })
            .AddBackend(Backend, _ => driver?.Invoke(Driver) ?? Driver)
            .AddBackend(OtherBackend, _ => OtherDriver)
            .UseImageService(_ => Images)
            .UseNotifier(_ => notifier ?? new RecordingNotifier());
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeLogCollector LogCollector { get; } = new();

    /// <summary>Signals a test when the library logged an event, for steps no fake takes part in.</summary>
    public LogSignals LogSignals { get; } = new();

    public InMemoryVolumeDriver Driver { get; } = new();

    public InMemoryVolumeDriver OtherDriver { get; } = new();

    public InMemoryImageService Images { get; } = new();

    public IServiceProvider Services => _provider;

    public RecordingNotifier Notifier => (RecordingNotifier)_provider.GetRequiredService<IImageVolumeCacheNotifier>();

    /// <summary>The host's meter factory, which the library's instruments come from; each harness has its own.</summary>
    public IMeterFactory MeterFactory => _provider.GetRequiredService<IMeterFactory>();

    /// <summary>Collects the measurements of one of the library's counters.</summary>
    public MetricCollector<long> Collect(string instrumentName) => new(MeterFactory, ImageVolumeCacheDiagnostics.MeterName, instrumentName);

    /// <summary>Collects the measurements of one of the library's instruments of another type (the histograms of seconds).</summary>
    public MetricCollector<T> Collect<T>(string instrumentName)
        where T : struct =>
        new(MeterFactory, ImageVolumeCacheDiagnostics.MeterName, instrumentName);

    public CreateFromImagePipeline Pipeline => _provider.GetRequiredService<CreateFromImagePipeline>();

    /// <summary>The cache as hosts see it; the core's tests reach its internal calls through extensions of their own.</summary>
    public IImageVolumeCache Cache => _provider.GetRequiredService<IImageVolumeCache>();

    public ICacheEntryStore Store => _provider.GetRequiredService<ICacheEntryStore>();

    public static RequestContext User { get; } = new("user-project", "user-1");

    /// <summary>Adds a public image of <paramref name="sizeBytes"/> bytes of recognisable data.</summary>
    public ImageInfo AddImage(string id, int sizeBytes = 4096, DateTimeOffset? updatedAt = null, string? owner = null, long? virtualSizeBytes = null)
    {
        byte[] data = new byte[sizeBytes];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((i * 31) + id.Length);
        }

        return Images.Add(id, data, owner, updatedAt, virtualSizeBytes);
    }

    public static CreateVolumeFromImageRequest Request(string imageId, int sizeGb = 1, string? volumeId = null, string host = Backend, string? cluster = null, bool encrypted = false, RequestContext? requester = null) =>
        new(requester ?? User, new VolumeSpec(volumeId ?? "vol-" + Guid.NewGuid().ToString("N")[..8], host, sizeGb)
        {
            Cluster = cluster,
            ProjectId = (requester ?? User).ProjectId,
            UserId = (requester ?? User).UserId,
            Encrypted = encrypted,
        }, imageId);

    /// <summary>A volume as the pipeline makes a cache volume: owned by the internal tenant, marked, naming its image and version.</summary>
    public static VolumeSpec CacheVolume(string id, string host, int sizeGb, string imageId, DateTimeOffset updatedAt) =>
        new(id, host, sizeGb)
        {
            ProjectId = InternalProject,
            UserId = InternalUser,
            Metadata = new Dictionary<string, string>
            {
                [CacheVolumeMetadata.CacheVolume] = "true",
                [CacheVolumeMetadata.ImageId] = imageId,
                [CacheVolumeMetadata.ImageUpdatedAt] = updatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            },
        };

    /// <summary>Adds each image and caches it in <see cref="Backend"/>, one request each.</summary>
    public async Task CacheImagesAsync(params string[] imageIds)
    {
        foreach (string imageId in imageIds)
        {
            AddImage(imageId);
            await CreateAsync(imageId);
        }
    }

    /// <summary>The options as the cache reads them now; a test changes a value in place, as a reload would.</summary>
    public ImageVolumeCacheOptions CurrentOptions => _provider.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>().CurrentValue;

    public ValueTask<CreateVolumeFromImageResult> CreateAsync(string imageId, int sizeGb = 1, string? volumeId = null, string host = Backend, string? cluster = null, bool encrypted = false) =>
        Pipeline.CreateAsync(Request(imageId, sizeGb, volumeId, host, cluster, encrypted));

    public int Notifications(string eventType) => Notifier.CountOf(eventType);

    public IReadOnlyList<FakeLogRecord> Logs(int eventId) => LogCollector.GetSnapshot().Where(r => r.Id.Id == eventId).ToList();

    public void Dispose()
    {
        _provider.Dispose();
        _scratch.Dispose();
    }
}
