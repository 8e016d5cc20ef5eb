using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Cli.TestPlugin;

/// <summary>
/// ivc's plug-in hook: registers the backend <see cref="Backend"/> with a <see cref="JournalingDriver"/> over the folder
/// <c>TestPlugin:Directory</c>, journaling to <c>TestPlugin:Journal</c>, as the host registers it.
/// </summary>
public static class IvcPlugin
{
    public const string Backend = "plugin@journal";

    public static void ConfigureImageVolumeCacheTool(IImageVolumeCacheBuilder builder, IConfiguration configuration)
    {
        string directory = configuration["TestPlugin:Directory"] ?? throw new InvalidOperationException("TestPlugin:Directory is not set.");
        string journal = configuration["TestPlugin:Journal"] ?? throw new InvalidOperationException("TestPlugin:Journal is not set.");
        builder.AddBackend(Backend, _ => Create(directory, journal));
    }

    /// <summary>The driver, as the host (here, the test) makes it too.</summary>
    public static JournalingDriver Create(string directory, string journal) =>
        new(new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = directory }), journal);
}
