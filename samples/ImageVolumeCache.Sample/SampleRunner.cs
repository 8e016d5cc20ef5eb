using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Sample;

/// <summary>
/// The sample's main path: reads the configuration (appsettings.json, then the command line), wires the cache to a
/// file-system backend and a folder image service, and runs the <see cref="SampleTour"/>. Returns the exit code:
/// 0, 1 when the sample failed, 2 for options it cannot use, 3 when the image is refused (unsafe, or not the format it claims).
/// </summary>
internal static class SampleRunner
{
    private const string ScratchDirectoryKey = "ImageVolumeCache:Conversion:ScratchDirectory";

    public static async Task<int> RunAsync(string[] args, TextWriter output, bool interactive, CancellationToken cancellationToken)
    {
        // appsettings.json is copied next to the program, so read it from there whatever the working directory is.
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(SampleOptions.SwitchMappings));
        SampleOptions options = builder.Configuration.GetSection("Sample").Get<SampleOptions>() ?? new SampleOptions();
        if (options.ImageSizeMb <= 0 || options.Volumes < 2 || !options.IsStoreKnown)
        {
            await output.WriteLineAsync("--image-size-mb must be at least 1, --volumes at least 2, and --store sqlite, memory or postgres.");
            return 2;
        }

        if (!options.IsDiskFormatKnown)
        {
            await output.WriteLineAsync($"--disk-format must be one of {string.Join(", ", SampleOptions.DiskFormats)}, or left out to detect the format.");
            return 2;
        }

        if (options.LacksStoreConnection)
        {
            await output.WriteLineAsync(
                "--store postgres needs --store-connection with an Npgsql connection string, for example \"Host=127.0.0.1;Port=5432;Database=imagevolumecache;Username=postgres\".");
            return 2;
        }

        PrepareDirectories(options);
        if (string.IsNullOrWhiteSpace(builder.Configuration[ScratchDirectoryKey]))
        {
            // On the volumes' file system, not the system's temporary folder: the converted image is written there.
            builder.Configuration[ScratchDirectoryKey] = options.ScratchDirectory;
        }

        var progress = new ProgressBar(output, interactive);
        var notifier = new ConsoleNotifier(output);
        IImageVolumeCacheBuilder cache = builder.Services.AddImageVolumeCache(builder.Configuration.GetSection("ImageVolumeCache"))
            .AddFileSystemBackend(options.Backend, o =>
            {
                o.Directory = options.VolumesDirectory;
                o.CloneImagesDirectly = options.DirectImageClone;
            })
            .UseFolderImageService(options.ImagesDirectory)
            .UseImageService(sp => new ProgressImageService(sp.GetRequiredService<FolderImageService>(), progress))
            .UseNotifier(_ => notifier);
        if (options.StoresInPostgreSql)
        {
            cache.UsePostgreSqlStore(options.StoreConnection);
        }
        else if (!options.StoresInMemory)
        {
            cache.UseSqliteStore(options.StoreFilePath);
        }

        using IHost host = builder.Build();
        try
        {
            // Validates the ImageVolumeCache options, opens the store and reconciles the backend with it.
            await host.StartAsync(cancellationToken);
            await new SampleTour(host.Services, options, output, progress, notifier).RunAsync(cancellationToken);
            return 0;
        }
        catch (ImageUnacceptableException ex)
        {
            // The image's fault, not the sample's: its message says which rule refused it; a stack trace would add nothing.
            await output.WriteLineAsync($"The image is refused: {ex.Message}");
            return 3;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await output.WriteLineAsync($"The sample failed: {ex.Message}");
            return 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Makes the data folders. With the store in memory, the volumes of an earlier run are removed (their entries are
    /// gone); with SQLite or PostgreSQL they stay, and the cache volumes among them serve this run.
    /// </summary>
    private static void PrepareDirectories(SampleOptions options)
    {
        if (options.StoresInMemory && Directory.Exists(options.VolumesDirectory))
        {
            Directory.Delete(options.VolumesDirectory, recursive: true);
        }

        Directory.CreateDirectory(options.VolumesDirectory);
        Directory.CreateDirectory(options.ImagesDirectory);
    }
}
