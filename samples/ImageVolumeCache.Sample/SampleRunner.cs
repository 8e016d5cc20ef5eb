using ImageVolumeCache.Glance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Sample;

/// <summary>
/// The sample's main path, once the command line is checked: prepares the data folder, wires the cache (configured by
/// appsettings.json and the <c>--ImageVolumeCache:KEY VALUE</c> arguments) to a file-system backend and a folder image
/// service (or Glance, with <c>--glance</c>), and runs the <see cref="SampleTour"/>. Returns the exit code (<see cref="ExitCodes"/>); a failure is one
/// line on <c>error</c>, without a stack trace.
/// </summary>
internal static class SampleRunner
{
    private const string ScratchDirectoryKey = "ImageVolumeCache:Conversion:ScratchDirectory";

    public static async Task<int> RunAsync(
        SampleOptions options, IReadOnlyDictionary<string, string?> cacheSettings, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        try
        {
            PrepareDirectories(options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"The sample failed: the data folder {options.DataDirectory} (--data-dir) cannot be used: {ex.Message}");
            return ExitCodes.Failed;
        }

        // appsettings.json is copied next to the program, so read it from there whatever the working directory is.
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(cacheSettings);
        if (string.IsNullOrWhiteSpace(builder.Configuration[ScratchDirectoryKey]))
        {
            // On the volumes' file system, not the system's temporary folder: the converted image is written there.
            builder.Configuration[ScratchDirectoryKey] = options.ScratchDirectory;
        }

        // The operator tool's view of this run's cache: `ivc stats --config DATA-DIR/ivc.json`.
        SampleToolConfiguration.Write(options, builder.Configuration.GetSection("ImageVolumeCache"));

        // A start-up failure is the sample's to report, in one line; the host would log it too, with its stack trace.
        // Logs go to standard error, beside the errors, so that standard output is the tour alone.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        var progress = new ProgressBar(output, interactive);
        var notifier = new ConsoleNotifier(output);
        IImageVolumeCacheBuilder cache = builder.Services.AddImageVolumeCache(builder.Configuration.GetSection("ImageVolumeCache"))
            .AddFileSystemBackend(SampleOptions.Backend, o =>
            {
                o.Directory = options.VolumesDirectory;
                o.CloneImagesDirectly = options.DirectImageClone;
            })
            .UseNotifier(_ => notifier);
        if (options.UsesGlance)
        {
            cache.UseGlanceImageService(new Uri(options.Glance));
            if (options.GlanceToken.Length == 0)
            {
                builder.Services.AddSingleton<IGlanceHeaderProvider, SampleGlanceIdentity>();
            }
        }
        else
        {
            cache.UseFolderImageService(options.ImagesDirectory);
        }

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
            return ExitCodes.Success;
        }
        catch (ImageUnacceptableException ex)
        {
            // The image's fault, not the sample's: its message says which rule refused it; a stack trace would add nothing.
            await error.WriteLineAsync($"The image is refused: {ex.Message}");
            return ExitCodes.ImageRefused;
        }
        catch (OptionsValidationException ex)
        {
            // Its message names the configuration key: one set by --ImageVolumeCache:KEY VALUE or in appsettings.json.
            await error.WriteLineAsync($"The cache configuration is refused: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("The sample was stopped.");
            return ExitCodes.Stopped;
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"The sample failed: {ex.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Makes the data folders, after deleting what an earlier run left with <c>--reset</c>. With the store in memory,
    /// the volumes of an earlier run are removed (their entries are gone); with SQLite or PostgreSQL they stay, and the
    /// cache volumes among them serve this run.
    /// </summary>
    private static void PrepareDirectories(SampleOptions options)
    {
        if (options.Reset)
        {
            SampleDataFolder.Reset(options.DataDirectory);
        }

        if (options.StoresInMemory && Directory.Exists(options.VolumesDirectory))
        {
            Directory.Delete(options.VolumesDirectory, recursive: true);
        }

        Directory.CreateDirectory(options.VolumesDirectory);
        Directory.CreateDirectory(options.ImagesDirectory);
    }
}
