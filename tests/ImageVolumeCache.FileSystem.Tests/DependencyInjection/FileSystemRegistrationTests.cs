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

    [Test]
    public void A_backend_reads_direct_image_clones_from_the_folder_of_the_folder_image_service()
    {
        using var folder = new TemporaryDirectory();
        using var volumes = new TemporaryDirectory();
        using var own = new TemporaryDirectory();
        var services = new ServiceCollection();
        services.AddImageVolumeCache(_ => { })
            .AddFileSystemBackend("host1@fs", volumes.Path)
            .AddFileSystemBackend("host1@own", options =>
            {
                options.Directory = volumes.Path;
                options.ImageDirectory = own.Path;
            })
            .UseFolderImageService(folder.Path);
        using ServiceProvider provider = services.BuildServiceProvider();

        List<FileSystemVolumeDriver> drivers = RegisteredDrivers(services, provider);

        Assert.That(drivers.Select(d => d.ImageDirectory), Is.EquivalentTo(new[] { folder.Path, own.Path }));
    }

    /// <summary>The drivers the backend registrations make (the registration record is internal to the core package).</summary>
    private static List<FileSystemVolumeDriver> RegisteredDrivers(ServiceCollection services, IServiceProvider provider) =>
        [.. services
            .Where(d => d.ServiceType.Name == "VolumeBackendRegistration")
            .Select(d => (Func<IServiceProvider, IVolumeDriver>)d.ServiceType.GetProperty("Factory")!.GetValue(d.ImplementationInstance)!)
            .Select(factory => (FileSystemVolumeDriver)factory(provider))];

    [Test]
    public void A_backend_without_the_folder_image_service_or_an_image_directory_clones_no_images_directly()
    {
        using var volumes = new TemporaryDirectory();
        var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = "host1@fs", Directory = volumes.Path });

        Assert.That(driver.ImageDirectory, Is.Null);
    }

    [Test]
    public void An_empty_image_directory_is_refused_naming_its_key_and_the_backend()
    {
        IImageVolumeCacheBuilder builder = new ServiceCollection().AddImageVolumeCache(_ => { });

        var ex = Assert.Throws<ArgumentException>(() => builder.AddFileSystemBackend("host1@fs", options =>
        {
            options.Directory = "/var/lib/volumes";
            options.ImageDirectory = " ";
        }));

        Assert.That(ex!.Message, Does.Contain("FileSystemVolumeDriverOptions.ImageDirectory").And.Contain("host1@fs"));
    }
}
