using ImageVolumeCache.Cli.TestPlugin;
using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Cli.Tests;

/// <summary>
/// A host's own driver reaches ivc through the plug-in hook: an assembly with
/// <c>ConfigureImageVolumeCacheTool(IImageVolumeCacheBuilder, IConfiguration)</c> that registers the backend as the
/// host does (here <see cref="IvcPlugin"/>, whose driver journals its calls).
/// </summary>
public sealed class PluginTests
{
    private static string PluginPath => Path.Combine(TestContext.CurrentContext.TestDirectory, "ImageVolumeCache.Cli.TestPlugin.dll");

    [Test]
    public async Task Reconcile_through_a_plug_in_backend_uses_the_plug_in_s_driver_and_removes_the_lost_entry()
    {
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        string journal = folder.Combine("journal.txt");
        string database = folder.Combine("cache.db");
        await new FolderImageService(images).AddImageAsync(new FolderImage("image-a", "owner-project"), new MemoryStream(new byte[64 << 10]), CancellationToken.None);
        ImageCacheEntry entry;
        await using (ServiceProvider host = BuildHost(volumes, images, journal, database))
        {
            var requester = new RequestContext("user-project", "user-1");
            var volume = new VolumeSpec("vol-1", IvcPlugin.Backend, 1) { ProjectId = requester.ProjectId, UserId = requester.UserId };
            await host.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(requester, volume, "image-a"), CancellationToken.None);
            entry = (await host.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None)).Single();
        }

        File.Delete(Path.Combine(volumes, entry.VolumeId + ".img"));
        File.Delete(journal);
        await File.WriteAllTextAsync(folder.Combine("appsettings.json"), $$"""
            {
              "ImageVolumeCache": { "InternalTenant": { "ProjectId": "cache-project", "UserId": "cache-user" } },
              "ImageVolumeCacheTool": { "Store": { "Sqlite": "cache.db" }, "ImageFolder": "images", "Plugins": [ "{{PluginPath}}" ] },
              "TestPlugin": { "Directory": "{{volumes}}", "Journal": "{{journal}}" }
            }
            """);

        IvcResult result = await IvcProcess.RunAsync(folder.Path, "reconcile", "--backend", IvcPlugin.Backend);
        IvcResult entries = await IvcProcess.RunAsync(folder.Path, "entries");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("1 entries removed"));
        Assert.That(await File.ReadAllLinesAsync(journal), Does.Contain("ListVolumesAsync -"), "ivc listed the volumes through the plug-in's driver");
        Assert.That(entries.Output.Trim(), Is.EqualTo("No cache entries."));
    }

    [Test]
    public async Task An_assembly_without_the_hook_is_refused_naming_the_method_it_needs()
    {
        await using CachedHost host = await CachedHost.StartAsync();
        string notAPlugin = Path.Combine(TestContext.CurrentContext.TestDirectory, "ImageVolumeCache.TestUtils.dll");

        IvcResult result = await host.IvcAsync("stats", "--plugin", notAPlugin);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("ConfigureImageVolumeCacheTool(IImageVolumeCacheBuilder builder, IConfiguration configuration)").And.Contain(notAPlugin));
    }

    private static ServiceProvider BuildHost(string volumes, string images, string journal, string database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = "cache-project";
                o.InternalTenant.UserId = "cache-user";
            })
            .AddBackend(IvcPlugin.Backend, _ => IvcPlugin.Create(volumes, journal))
            .UseFolderImageService(images)
            .UseSqliteStore(database);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
