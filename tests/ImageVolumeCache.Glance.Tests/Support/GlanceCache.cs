using System.Security.Cryptography;
using ImageVolumeCache.Glance.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.Glance.Tests.Support;

/// <summary>
/// The whole cache wired as a host would: the file-system backend in a temporary folder, images from Glance at an
/// endpoint (nginx, the proxy in front of it, or a real Glance server), metrics through an <c>IMeterFactory</c>.
/// </summary>
internal sealed class GlanceCache : IAsyncDisposable
{
    public const string Backend = "host1@fs";
    public static readonly RequestContext Requester = new(NginxServer.Project, "user-a") { AuthToken = NginxServer.Token };

    private readonly TemporaryDirectory _folder = new();

    public GlanceCache(Uri endpoint, Action<ImageVolumeCacheOptions>? cache = null, Action<IServiceCollection>? services = null)
    {
        Directory.CreateDirectory(_folder.Combine("volumes"));
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        collection.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = "cache-project";
                options.InternalTenant.UserId = "cache-user";
                options.DownloadStallTimeout = TimeSpan.FromSeconds(20);
                options.DownloadRetries = 3;
                cache?.Invoke(options);
            })
            .AddFileSystemBackend(Backend, _folder.Combine("volumes"))
            .UseGlanceImageService(options =>
            {
                options.Endpoint = endpoint;
                options.RetryDelay = TimeSpan.FromMilliseconds(20);
            });
        services?.Invoke(collection);
        Services = collection.BuildServiceProvider();
        Resumes = new MetricCollector<long>(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "ImageVolumeCache", GlanceMetrics.Resumes);
        Refetched = new MetricCollector<long>(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "ImageVolumeCache", GlanceMetrics.RefetchedBytes);
    }

    public ServiceProvider Services { get; }

    public MetricCollector<long> Resumes { get; }

    public MetricCollector<long> Refetched { get; }

    public IImageService Images => Services.GetRequiredService<IImageService>();

    public string VolumesFolder => _folder.Combine("volumes");

    public ValueTask<CreateVolumeFromImageResult> CreateAsync(string imageId, string volumeId, RequestContext? requester = null)
    {
        requester ??= Requester;
        var volume = new VolumeSpec(volumeId, Backend, 1) { ProjectId = requester.ProjectId, UserId = requester.UserId };
        return Services.GetRequiredService<CreateFromImagePipeline>()
            .CreateAsync(new CreateVolumeFromImageRequest(requester, volume, imageId), CancellationToken.None);
    }

    public async Task<IReadOnlyList<ImageCacheEntry>> EntriesAsync() =>
        await Services.GetRequiredService<ICacheEntryStore>().ListAsync(null, CancellationToken.None);

    /// <summary>The sha512 of the first <paramref name="length"/> bytes of a volume's file.</summary>
    public string VolumeSha512(string volumeId, long length)
    {
        using FileStream file = File.OpenRead(Path.Combine(VolumesFolder, volumeId + ".img"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        byte[] buffer = new byte[1 << 20];
        long left = length;
        while (left > 0)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, read);
            left -= read;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The count of interrupted downloads that went on as <paramref name="outcome"/>.</summary>
    public long ResumesWith(string outcome) =>
        Resumes.GetMeasurementSnapshot().Where(m => Equals(m.Tags["outcome"], outcome)).Sum(m => m.Value);

    public async ValueTask DisposeAsync()
    {
        Resumes.Dispose();
        Refetched.Dispose();
        await Services.DisposeAsync();
        _folder.Dispose();
    }
}
