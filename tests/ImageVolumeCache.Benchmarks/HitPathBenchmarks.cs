using BenchmarkDotNet.Attributes;
using ImageVolumeCache.Benchmarks.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Benchmarks;

/// <summary>
/// The library's overhead on a cache hit: <see cref="CreateFromImagePipeline.CreateAsync"/> with a driver and image
/// service that do nothing, and logging off, against the same driver's clone called directly (the baseline). The ratio is
/// what the library adds to the one driver call a hit needs. <see cref="Store"/> picks the entry store: the in-memory one
/// (the target's case), SQLite on a file in a temporary folder (what a durable host pays), and PostgreSQL in a schema of
/// its own on the server <c>IMAGEVOLUMECACHE_POSTGRES</c> names, when it names one (what a host of a cluster pays).
/// </summary>
[MemoryDiagnoser]
public class HitPathBenchmarks
{
    private const string CacheVolumeId = "cache-volume";

    private readonly IVolumeDriver _driver = new NoOpVolumeDriver();
    private ServiceProvider _services = null!;
    private CreateFromImagePipeline _pipeline = null!;
    private CreateVolumeFromImageRequest _request = null!;
    private BenchmarkStore _store = null!;

    /// <summary>The entry store behind the cache.</summary>
    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = "InMemory";

    /// <summary>The stores measured: PostgreSQL only when <c>IMAGEVOLUMECACHE_POSTGRES</c> names a server.</summary>
    public static IEnumerable<string> Stores() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BenchmarkStore.PostgresVariable))
            ? ["InMemory", "Sqlite"]
            : ["InMemory", "Sqlite", "PostgreSql"];

    [GlobalSetup]
    public void Setup()
    {
        var image = new ImageInfo("image-1", 0, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _store = new BenchmarkStore(Store, "hitpath");
        _services = BenchmarkHost.Build(_driver, new NoOpImageService(image), NoOpNotifier.Instance, _store.Configure);
        _pipeline = _services.GetRequiredService<CreateFromImagePipeline>();
        _request = new CreateVolumeFromImageRequest(
            new RequestContext("project", "user"),
            new VolumeSpec("volume-1", BenchmarkHost.Backend + "#pool", 1),
            image.Id);

        // The first request is a miss that makes the entry; every measured request after it is a hit.
        Expect(CreateFromImagePath.CacheMissCreated);
        Expect(CreateFromImagePath.CacheHit);
        ImageCacheEntry entry = _services.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None).AsTask().GetAwaiter().GetResult().Single();
        PrepareReadAlone(entry);
    }

    /// <summary>
    /// The store's lookup statement (the <c>SELECT</c> of the entry by scope and image, every column read) run by the
    /// database client alone, on a connection of its own to the same file or schema: the floor of one store read, beside
    /// the hit that makes one. Nothing for the in-memory store.
    /// </summary>
    [Benchmark]
    public async ValueTask<long> StoreReadAlone()
    {
        if (_sqliteRead is not null)
        {
            using Microsoft.Data.Sqlite.SqliteDataReader reader = _sqliteRead.ExecuteReader();
            return reader.Read() ? ReadAll(reader) : 0;
        }

        if (_postgresRead is not null)
        {
            await using Npgsql.NpgsqlCommand command = _postgresRead.CreateCommand(_postgresSelect);
            command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = _readScope });
            command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = _readImage });
            await using Npgsql.NpgsqlDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            return await reader.ReadAsync().ConfigureAwait(false) ? ReadAll(reader) : 0;
        }

        return 0;
    }

    private const string Columns = "id, scope_key, host, cluster, image_id, image_updated_at, volume_id, size_gb, created_at, last_used";

    private Microsoft.Data.Sqlite.SqliteConnection? _sqliteConnection;
    private Microsoft.Data.Sqlite.SqliteCommand? _sqliteRead;
    private Npgsql.NpgsqlDataSource? _postgresRead;
    private string _postgresSelect = "";
    private string _readScope = "";
    private string _readImage = "";

    private void PrepareReadAlone(ImageCacheEntry entry)
    {
        _readScope = entry.ScopeKey;
        _readImage = entry.ImageId;
        if (_store.Folder is not null)
        {
            _sqliteConnection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_store.Folder, "cache.db")};Pooling=False");
            _sqliteConnection.Open();
            _sqliteRead = _sqliteConnection.CreateCommand();
            _sqliteRead.CommandText = $"SELECT {Columns} FROM cache_entries WHERE scope_key = $scope AND image_id = $image";
            _sqliteRead.Parameters.AddWithValue("$scope", _readScope);
            _sqliteRead.Parameters.AddWithValue("$image", _readImage);
            _sqliteRead.Prepare();
        }
        else if (_store.Schema is not null)
        {
            var builder = new Npgsql.NpgsqlDataSourceBuilder(_store.ConnectionString);
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            builder.ConnectionStringBuilder.NoResetOnClose = true;
            _postgresRead = builder.Build();
            _postgresSelect = $"SELECT {Columns} FROM \"{_store.Schema}\".cache_entries WHERE scope_key = $1 AND image_id = $2";
        }
    }

    private static long ReadAll(System.Data.Common.DbDataReader reader)
    {
        long sum = 0;
        for (int i = 0; i < reader.FieldCount; i++)
        {
            sum += reader.IsDBNull(i) ? 0
                : reader.GetFieldType(i) == typeof(string) ? reader.GetString(i).Length
                : reader.GetFieldType(i) == typeof(int) ? reader.GetInt32(i)
                : reader.GetInt64(i);
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sqliteRead?.Dispose();
        _sqliteConnection?.Dispose();
        _postgresRead?.Dispose();
        _services.Dispose();
        _store.Dispose();
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
