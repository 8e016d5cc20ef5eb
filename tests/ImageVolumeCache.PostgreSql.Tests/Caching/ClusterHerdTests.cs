using System.Diagnostics;
using System.Globalization;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.PostgreSql.Tests.Support;
using ImageVolumeCache.Sqlite.TestHost;

namespace ImageVolumeCache.PostgreSql.Tests.Caching;

/// <summary>
/// Three real processes (the test host's "herd" command), each a host of one cluster with a backend of its own name,
/// over one PostgreSQL schema and one file-system backend directory, asking for one uncached image at the same moment.
/// </summary>
public sealed class ClusterHerdTests
{
    private const string Cluster = "cluster1@fs";
    private const string ImageId = "image-a";
    private const int RequestsPerHost = 32;

    [Test]
    public async Task Three_hosts_of_a_cluster_asking_for_one_uncached_image_at_once_download_it_once_and_clone_it_everywhere()
    {
        string connection = PostgresServer.Require();
        string schema = PostgresServer.NewSchemaName();
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        string start = folder.Combine("start");
        byte[] data = new byte[96 << 10];
        new Random(11).NextBytes(data);
        await new FolderImageService(images).AddImageAsync(new FolderImage(ImageId, "owner-project"), new MemoryStream(data), CancellationToken.None);
        string store = $"{CrashHost.PostgresStorePrefix}{schema}:{connection}";
        Process[] hosts = [.. new[] { "h1", "h2", "h3" }.Select(name => ChildProcess.Start(
            ["herd", volumes, images, store, name, ChildProcess.Number(RequestsPerHost), start, ImageId, $"{name}@fs", Cluster]))];
        try
        {
            foreach (Process host in hosts)
            {
                Assert.That(await host.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), await ErrorsAsync(host));
            }

            await File.WriteAllTextAsync(start, "go");
            string[] lines = [.. (await Task.WhenAll(hosts.Select(LinesAsync))).SelectMany(l => l)];

            int downloads = lines.Where(l => l.StartsWith("downloads ", StringComparison.Ordinal)).Sum(l => int.Parse(l["downloads ".Length..], CultureInfo.InvariantCulture));
            string[] requests = [.. lines.Where(l => !l.StartsWith("downloads ", StringComparison.Ordinal))];
            await TestContext.Out.WriteLineAsync($"{requests.Length} requests, {downloads} download(s); paths: " +
                string.Join(", ", requests.GroupBy(l => l.Split(' ')[^1]).Select(g => $"{g.Key} {g.Count()}")));
            Assert.That(requests.Where(l => !l.StartsWith("ok ", StringComparison.Ordinal)), Is.Empty, "failed requests and clones with wrong bytes");
            Assert.That(requests, Has.Length.EqualTo(3 * RequestsPerHost));
            Assert.That(downloads, Is.EqualTo(1), "one download for the three hosts");
            Assert.That(await PostgresServer.QueryAsync($"SELECT count(*) FROM \"{schema}\".cache_entries"), Is.EqualTo(1L));
        }
        finally
        {
            foreach (Process host in hosts)
            {
                host.Dispose();
            }

            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    private static Task<string[]> LinesAsync(Process child) => ChildProcess.LinesAsync(child, TimeSpan.FromMinutes(3));

    private static Task<string> ErrorsAsync(Process child) => ChildProcess.ErrorsAsync(child);
}
