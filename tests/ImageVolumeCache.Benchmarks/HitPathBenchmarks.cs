using BenchmarkDotNet.Attributes;
using ImageVolumeCache.Benchmarks.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Benchmarks;

/// <summary>
/// The library's overhead on a cache hit: <see cref="CreateFromImagePipeline.CreateAsync"/> with a driver and image
/// service that do nothing, and logging off, against the same driver's clone called directly (the baseline). The ratio is
/// what the library adds to the one driver call a hit needs. <see cref="Store"/> picks the entry store: the in-memory one
/// (the target's case) or SQLite on a file in a temporary folder (what a durable host pays).
/// </summary>
[MemoryDiagnoser]
public class HitPathBenchmarks
{
    private const string CacheVolumeId = "cache-volume";

    private readonly IVolumeDriver _driver = new NoOpVolumeDriver();
    private ServiceProvider _services = null!;
    private CreateFromImagePipeline _pipeline = null!;
    private CreateVolumeFromImageRequest _request = null!;
    private string? _folder;

    /// <summary>The entry store behind the cache.</summary>
    [Params("InMemory", "Sqlite")]
    public string Store { get; set; } = "InMemory";

    [GlobalSetup]
    public void Setup()
    {
        var image = new ImageInfo("image-1", 0, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Action<IImageVolumeCacheBuilder>? store = null;
        if (Store == "Sqlite")
        {
            _folder = Directory.CreateTempSubdirectory("ivc-hit-").FullName;
            store = builder => builder.UseSqliteStore(Path.Combine(_folder, "cache.db"));
        }

        _services = BenchmarkHost.Build(_driver, new NoOpImageService(image), NoOpNotifier.Instance, store);
        _pipeline = _services.GetRequiredService<CreateFromImagePipeline>();
        _request = new CreateVolumeFromImageRequest(
            new RequestContext("project", "user"),
            new VolumeSpec("volume-1", BenchmarkHost.Backend + "#pool", 1),
            image.Id);

        // The first request is a miss that makes the entry; every measured request after it is a hit.
        Expect(CreateFromImagePath.CacheMissCreated);
        Expect(CreateFromImagePath.CacheHit);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public ValueTask DriverClone() => _driver.CloneVolumeAsync(_request.Volume, CacheVolumeId, CancellationToken.None);

    [Benchmark]
    public ValueTask<CreateVolumeFromImageResult> PipelineCacheHit() => _pipeline.CreateAsync(_request, CancellationToken.None);

    private void Expect(CreateFromImagePath path)
    {
        CreateVolumeFromImageResult result = _pipeline.CreateAsync(_request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (result.Path != path)
        {
            throw new InvalidOperationException($"The set-up request took {result.Path}, not {path}.");
        }
    }
}
