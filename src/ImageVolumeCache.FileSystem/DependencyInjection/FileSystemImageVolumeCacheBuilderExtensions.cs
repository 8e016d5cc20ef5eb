using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds file-system backends and the folder image service to the image-volume cache.</summary>
public static class FileSystemImageVolumeCacheBuilderExtensions
{
    /// <summary>Adds a backend whose volumes are sparse files in <paramref name="directory"/> (see <see cref="FileSystemVolumeDriver"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The backend name, <c>host@backend</c>.</param>
    /// <param name="directory">The directory holding the volumes; it must exist when the first volume is made.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The name or directory is empty, or the name contains <c>#</c>.</exception>
    public static IImageVolumeCacheBuilder AddFileSystemBackend(this IImageVolumeCacheBuilder builder, string name, string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.AddFileSystemBackend(name, options => options.Directory = directory);
    }

    /// <summary>
    /// Adds a backend whose volumes are sparse files, with its options set in code. When
    /// <see cref="FileSystemVolumeDriverOptions.ImageDirectory"/> is not set and the folder image service is used (see
    /// <see cref="UseFolderImageService"/>, before or after this call), direct image clones read the files of its folder.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The backend name, <c>host@backend</c>; it is also <see cref="FileSystemVolumeDriverOptions.BackendName"/>.</param>
    /// <param name="configure">Sets the options, once, now; <see cref="FileSystemVolumeDriverOptions.Directory"/> is required.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or contains <c>#</c>, or the directory is empty.</exception>
    public static IImageVolumeCacheBuilder AddFileSystemBackend(this IImageVolumeCacheBuilder builder, string name, Action<FileSystemVolumeDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new FileSystemVolumeDriverOptions { BackendName = name };
        configure(options);
        options.Validate();
        return builder.AddBackend(name, sp => new FileSystemVolumeDriver(
            WithImageDirectory(options, sp.GetService<FolderImageService>()?.Folder), sp.GetService<ILogger<FileSystemVolumeDriver>>()));
    }

    private static FileSystemVolumeDriverOptions WithImageDirectory(FileSystemVolumeDriverOptions options, string? imageFolder) => new()
    {
        BackendName = options.BackendName,
        Directory = options.Directory,
        CloneImagesDirectly = options.CloneImagesDirectly,
        ImageDirectory = options.ImageDirectory ?? imageFolder,
    };

    /// <summary>
    /// Uses a <see cref="FolderImageService"/> over <paramref name="folder"/> as the image service, replacing any registered
    /// before. The service is also registered as itself, so a host can resolve it to add images, and its folder is the
    /// <see cref="FileSystemVolumeDriverOptions.ImageDirectory"/> of file-system backends that set none.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="folder">The folder of images and manifests; created when missing.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseFolderImageService(this IImageVolumeCacheBuilder builder, string folder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => new FolderImageService(
            folder, sp.GetService<TimeProvider>(), sp.GetService<ILogger<FolderImageService>>())));
        return builder.UseImageService(sp => sp.GetRequiredService<FolderImageService>());
    }
}
