using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Sample;

/// <summary>
/// The sample's main path: reads the configuration (appsettings.json, then the command line), wires the cache to a
/// file-system backend and a folder image service, and runs the <see cref="SampleTour"/>. Returns the exit code.
/// </summary>
internal static class SampleRunner
{
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
        if (options.ImageSizeMb <= 0 || options.Volumes < 2)
        {
            await output.WriteLineAsync("--image-size-mb must be at least 1 and --volumes at least 2.");
            return 2;
        }

        PrepareDirectories(options);
        var progress = new ProgressBar(output, interactive);
        var notifier = new ConsoleNotifier(output);
        builder.Services.AddImageVolumeCache(builder.Configuration.GetSection("ImageVolumeCache"))
            .AddFileSystemBackend(options.Backend, o =>
            {
                o.Directory = options.VolumesDirectory;
                o.CloneImagesDirectly = options.DirectImageClone;
            })
            .UseFolderImageService(options.ImagesDirectory)
            .UseImageService(sp => new ProgressImageService(sp.GetRequiredService<FolderImageService>(), progress))
            .UseNotifier(_ => notifier);

        using IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken); // validates the ImageVolumeCache options
            await new SampleTour(host.Services, options, output, progress, notifier).RunAsync(cancellationToken);
            return 0;
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

    /// <summary>Makes the data folders, and removes the volumes of an earlier run (their cache entries lived in memory and are gone).</summary>
    private static void PrepareDirectories(SampleOptions options)
    {
        if (Directory.Exists(options.VolumesDirectory))
        {
            Directory.Delete(options.VolumesDirectory, recursive: true);
        }

        Directory.CreateDirectory(options.VolumesDirectory);
        Directory.CreateDirectory(options.ImagesDirectory);
    }
}
