using System.Text.Json;
using ImageVolumeCache.FileSystem;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ImageVolumeCache.Cli.Tests;

/// <summary>
/// ivc on the PostgreSQL store of a cluster's hosts: the server eng/postgres.sh starts (IMAGEVOLUMECACHE_POSTGRES), a
/// schema of the test's own.
/// </summary>
public sealed class PostgreSqlStoreTests
{
    private const string Variable = "IMAGEVOLUMECACHE_POSTGRES";

    [Test]
    public async Task Entries_and_evict_work_on_a_PostgreSQL_store_named_on_the_command_line()
    {
        string connection = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : RealComponentMissing();
        string schema = "ivc_cli_" + Guid.NewGuid().ToString("N")[..12];
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        await new FolderImageService(images).AddImageAsync(new FolderImage("image-a", "owner-project"), new MemoryStream(new byte[64 << 10]), CancellationToken.None);
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddImageVolumeCache(o =>
                {
                    o.InternalTenant.ProjectId = "cache-project";
                    o.InternalTenant.UserId = "cache-user";
                })
                .AddFileSystemBackend(CachedHost.Backend, volumes)
                .UseFolderImageService(images)
                .UsePostgreSqlStore(o =>
                {
                    o.ConnectionString = connection;
                    o.Schema = schema;
                });
            await using ServiceProvider host = services.BuildServiceProvider();
            foreach (IHostedService service in host.GetServices<IHostedService>())
            {
                await service.StartAsync(CancellationToken.None);
            }

            var requester = new RequestContext("user-project", "user-1");
            var volume = new VolumeSpec("vol-1", CachedHost.Backend, 1) { ProjectId = requester.ProjectId, UserId = requester.UserId };
            await host.GetRequiredService<CreateFromImagePipeline>().CreateAsync(new CreateVolumeFromImageRequest(requester, volume, "image-a"), CancellationToken.None);
            await File.WriteAllTextAsync(folder.Combine("appsettings.json"), """{ "ImageVolumeCache": { "InternalTenant": { "ProjectId": "cache-project", "UserId": "cache-user" } } }""");
            string[] store = ["--postgres", connection, "--postgres-schema", schema, "--fs-backend", $"{CachedHost.Backend}={volumes}"];

            IvcResult entries = await IvcProcess.RunAsync(folder.Path, ["entries", "--json", .. store]);
            IvcResult evict = await IvcProcess.RunAsync(folder.Path, ["evict", "--image", "image-a", .. store]);

            Assert.That(entries.ExitCode, Is.Zero, entries.ToString());
            Assert.That(JsonDocument.Parse(entries.Output).RootElement.EnumerateArray().Select(e => e.GetProperty("imageId").GetString()), Is.EqualTo(new[] { "image-a" }));
            Assert.That(evict.ExitCode, Is.Zero, evict.ToString());
            Assert.That(await host.GetRequiredService<IImageVolumeCache>().ListAsync(null, CancellationToken.None), Is.Empty);
            Assert.That(Directory.GetFiles(volumes, "*.img").Select(Path.GetFileName), Is.EqualTo(new[] { "vol-1.img" }), evict.ToString());
        }
        finally
        {
            await using var dataSource = NpgsqlDataSource.Create(connection);
            await using NpgsqlCommand drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static string RealComponentMissing()
    {
        RealComponent.Missing($"{Variable} is not set: start a server with eng/postgres.sh (.ci/run does).");
        return string.Empty;
    }
}
