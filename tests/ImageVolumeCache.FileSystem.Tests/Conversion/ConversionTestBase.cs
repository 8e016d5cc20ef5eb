using System.Diagnostics.Metrics;
using System.Text;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.FileSystem.Tests.Conversion;

/// <summary>
/// The pipeline on the file-system backend with images made by qemu-img at test time, served by an in-memory image
/// service (which, unlike the folder image service, does not inspect images, so hostile ones reach the pipeline), a
/// scratch folder of the test's own, and a host file whose content no volume or scratch file may ever hold.
/// </summary>
public abstract class ConversionTestBase
{
    protected const string Backend = "host1@fs";
    protected const int MiB = 1 << 20;
    protected static readonly RequestContext Requester = new("demo-project", "demo-user");

    /// <summary>What the host file holds, many times over: found in a volume, it would mean the host leaked into a tenant's disk.</summary>
    protected static readonly byte[] HostSecret = Encoding.ASCII.GetBytes("HOST-FILE-CONTENT-5d1f0c9e-never-in-a-volume;");

    private DiskImageWorkshop? _workshop;
    private TemporaryDirectory? _data;
    private ServiceProvider? _services;

    protected DiskImageWorkshop Workshop => _workshop ?? throw new InvalidOperationException("No workshop outside a test.");

    protected TemporaryDirectory Data => _data ?? throw new InvalidOperationException("No data folder outside a test.");

    protected ServiceProvider Services => _services ?? throw new InvalidOperationException("Call Build first.");

    protected InMemoryImageService Images { get; private set; } = new();

    protected string VolumesFolder { get; private set; } = string.Empty;

    protected string ScratchFolder => Data.Combine("scratch");

    protected CreateFromImagePipeline Pipeline => Services.GetRequiredService<CreateFromImagePipeline>();

    [SetUp]
    public void MakeFolders()
    {
        _workshop = new DiskImageWorkshop();
        _data = new TemporaryDirectory();
        Images = new InMemoryImageService();
    }

    [TearDown]
    public async Task DisposeAll()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        _data?.Dispose();
        _workshop?.Dispose();
    }

    /// <summary>Builds the services, with volumes in <paramref name="volumes"/> (a folder of the test's own by default).</summary>
    protected void Build(string? volumes = null, Action<ImageVolumeCacheOptions>? configure = null, Func<IServiceProvider, IVolumeDriver>? driver = null)
    {
        VolumesFolder = volumes ?? Data.Combine("volumes");
        Directory.CreateDirectory(VolumesFolder);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        IImageVolumeCacheBuilder builder = services.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = "cache-project";
                options.InternalTenant.UserId = "cache-user";
                options.Conversion.ScratchDirectory = ScratchFolder;
                configure?.Invoke(options);
            })
            .UseImageService(_ => Images);
        builder = driver is null ? builder.AddFileSystemBackend(Backend, VolumesFolder) : builder.AddBackend(Backend, driver);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>Starts the hosted services (the start-up checks, the scratch sweep among them).</summary>
    protected async Task StartAsync()
    {
        foreach (IHostedService service in Services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Serves the file at <paramref name="path"/> as image <paramref name="id"/> claiming <paramref name="diskFormat"/>.</summary>
    protected ImageInfo AddImage(string id, string path, string diskFormat, long? virtualSize = null)
    {
        Images.Add(id, File.ReadAllBytes(path), ownerProjectId: null);
        return Images.Update(id, image => image with { DiskFormat = diskFormat, VirtualSizeBytes = virtualSize });
    }

    protected async Task<CreateVolumeFromImageResult> CreateAsync(string volumeId, string imageId, int sizeGb = 1, CancellationToken cancellationToken = default)
    {
        var volume = new VolumeSpec(volumeId, Backend, sizeGb) { ProjectId = Requester.ProjectId, UserId = Requester.UserId };
        return await Pipeline.CreateAsync(new CreateVolumeFromImageRequest(Requester, volume, imageId), cancellationToken);
    }

    /// <summary>Collects the measurements of one of the library's instruments, from this test's meter factory.</summary>
    protected MetricCollector<T> Collect<T>(string instrumentName)
        where T : struct =>
        new(Services.GetRequiredService<IMeterFactory>(), ImageVolumeCacheDiagnostics.MeterName, instrumentName);

    protected string VolumePath(string volumeId) => Path.Combine(VolumesFolder, volumeId + ".img");

    protected async Task<IReadOnlyList<ImageCacheEntry>> EntriesAsync() =>
        await Services.GetRequiredService<ICacheEntryStore>().ListAsync(null, CancellationToken.None);

    /// <summary>A raw disk of <paramref name="sizeMiB"/> MiB with 1 MiB of pseudo-random data at each of <paramref name="dataAtMiB"/>, the rest holes.</summary>
    protected string MakeRawDisk(string name, int sizeMiB, int seed, params int[] dataAtMiB)
    {
        string path = Workshop.Create("raw", name, $"{sizeMiB}M");
        var random = new Random(seed);
        byte[] chunk = new byte[MiB];
        foreach (int offset in dataAtMiB)
        {
            random.NextBytes(chunk);
            DiskImageWorkshop.Patch(path, (long)offset * MiB, chunk);
        }

        return path;
    }

    /// <summary>Converts a raw disk into <paramref name="qemuFormat"/> with qemu-img.</summary>
    protected string ConvertWithQemu(string raw, string qemuFormat, string name, params string[] options)
    {
        string path = Workshop.Path(name);
        DiskImageWorkshop.Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", qemuFormat, .. options, raw, path]);
        return path;
    }

    /// <summary>Asserts with <c>qemu-img compare</c> that the volume's file holds the same disk as the image (the volume's extra tail all zeros).</summary>
    protected static void AssertSameDisk(string volumePath, string imagePath, string qemuFormat) =>
        DiskImageWorkshop.Run("qemu-img", ["compare", "-q", "-f", "raw", "-F", qemuFormat, volumePath, imagePath]);

    /// <summary>The host file: 1 MiB of <see cref="HostSecret"/>, where a hostile image points.</summary>
    protected string MakeHostFile()
    {
        string path = Workshop.Path("host-file.raw");
        using FileStream file = File.Create(path);
        while (file.Length < MiB)
        {
            file.Write(HostSecret);
        }

        return path;
    }

    /// <summary>The files under the volume and scratch folders that hold the host file's content.</summary>
    protected IEnumerable<string> FilesHoldingHostSecret() =>
        new[] { VolumesFolder, ScratchFolder }
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(file => Holds(file, HostSecret));

    /// <summary>The files and folders left in the scratch folder.</summary>
    protected IEnumerable<string> ScratchLeftovers() =>
        Directory.Exists(ScratchFolder) ? Directory.EnumerateFileSystemEntries(ScratchFolder, "*", SearchOption.AllDirectories) : [];

    protected IEnumerable<string> VolumeFiles() => Directory.EnumerateFiles(VolumesFolder);

    private static bool Holds(string file, byte[] needle)
    {
        using FileStream stream = File.OpenRead(file);
        byte[] buffer = new byte[MiB + needle.Length];
        int carried = 0;
        int read;
        while ((read = stream.Read(buffer, carried, MiB)) > 0)
        {
            int length = carried + read;
            if (buffer.AsSpan(0, length).IndexOf(needle) >= 0)
            {
                return true;
            }

            carried = Math.Min(needle.Length - 1, length);
            buffer.AsSpan(length - carried, carried).CopyTo(buffer);
        }

        return false;
    }
}
