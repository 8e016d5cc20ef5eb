using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.FileSystem.Tests.DependencyInjection;

public sealed class FileSystemRegistrationTests
{
    [Test]
    public void A_file_system_backend_without_a_directory_is_refused_when_registered()
    {
        IImageVolumeCacheBuilder builder = new ServiceCollection().AddImageVolumeCache(_ => { });

        var ex = Assert.Throws<ArgumentException>(() => builder.AddFileSystemBackend("host1@fs", options => options.Directory = " "));

        Assert.That(ex!.Message, Does.Contain("Directory").And.Contain("host1@fs"));
    }

    [Test]
    public void The_folder_image_service_is_the_image_service_and_resolvable_as_itself()
    {
        string folder = Path.Combine(Path.GetTempPath(), "ivc-fs-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddImageVolumeCache(_ => { }).UseFolderImageService(folder);
        using ServiceProvider provider = services.BuildServiceProvider();

        try
        {
            Assert.That(provider.GetRequiredService<IImageService>(), Is.SameAs(provider.GetRequiredService<FolderImageService>()));
            Assert.That(provider.GetRequiredService<FolderImageService>().Folder, Is.EqualTo(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
