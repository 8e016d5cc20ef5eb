using System.Diagnostics.Metrics;
using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>
/// The cache wired as <see cref="CacheHarness"/> wires it, plus what diagnostics tests need and that harness does not
/// offer: the host's <see cref="IMeterFactory"/> (<c>AddMetrics</c>), so that each test reads only its own measurements,
/// and a notifier of the test's choosing.
/// </summary>
internal sealed class DiagnosticsHarness : IDisposable
{
    public const string Backend = CacheHarness.Backend;

    private readonly ServiceProvider _provider;

    public DiagnosticsHarness(Action<ImageVolumeCacheOptions>? configure = null, IImageVolumeCacheNotifier? notifier = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(LogCollector)));
        services.AddMetrics();
        services.AddSingleton(notifier ?? new RecordingNotifier());
        services.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = CacheHarness.InternalProject;
                options.InternalTenant.UserId = CacheHarness.InternalUser;
                configure?.Invoke(options);
            })
            .AddBackend(Backend, _ => Driver)
            .UseImageService(_ => Images);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeLogCollector LogCollector { get; } = new();

    public InMemoryVolumeDriver Driver { get; } = new();

    public InMemoryImageService Images { get; } = new();

    public CreateFromImagePipeline Pipeline => _provider.GetRequiredService<CreateFromImagePipeline>();

    public IImageVolumeCache Cache => _provider.GetRequiredService<IImageVolumeCache>();

    /// <summary>The meter factory the library's instruments come from.</summary>
    public IMeterFactory MeterFactory => _provider.GetRequiredService<IMeterFactory>();

    /// <summary>Collects the measurements of one of the library's counters made through this harness's meter factory.</summary>
    public MetricCollector<long> Collect(string instrumentName) => new(MeterFactory, ImageVolumeCacheDiagnostics.MeterName, instrumentName);

    public ImageInfo AddImage(string id, DateTimeOffset? updatedAt = null) => Images.Add(id, new byte[4096], updatedAt: updatedAt);

    public ValueTask<CreateVolumeFromImageResult> CreateAsync(string imageId, string host = Backend, bool encrypted = false) =>
        Pipeline.CreateAsync(CacheHarness.Request(imageId, host: host, encrypted: encrypted));

    public IReadOnlyList<FakeLogRecord> Logs(int eventId) => LogCollector.GetSnapshot().Where(r => r.Id.Id == eventId).ToList();

    public void Dispose() => _provider.Dispose();
}
