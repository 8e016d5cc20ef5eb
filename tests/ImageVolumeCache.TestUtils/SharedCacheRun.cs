using System.Diagnostics;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// Runs the test host's "share" command in several real processes over one backend folder and one store, with a cache of
/// one entry and several images, so that each process keeps evicting the entries the others clone from; a
/// <see cref="CacheVolumeWatcher"/> lists the folder all the while.
/// </summary>
public static class SharedCacheRun
{
    /// <summary>Starts the processes, lets them go at once, and returns what they printed and what the watcher saw.</summary>
    /// <param name="volumes">The backend folder.</param>
    /// <param name="images">The image folder.</param>
    /// <param name="store">The store argument: a SQLite file, or <c>postgres:&lt;schema&gt;:&lt;connection string&gt;</c>.</param>
    /// <param name="hosts">Each process: its name, its backend, and its cluster (or <see langword="null"/>).</param>
    /// <param name="requestsPerHost">Requests each process makes.</param>
    /// <param name="seed">Seeds the processes' random image choices.</param>
    /// <param name="imageIds">The images asked for.</param>
    /// <param name="during">
    /// When given, the processes make requests until it completes (run from the moment they start), instead of
    /// <paramref name="requestsPerHost"/> each.
    /// </param>
    /// <returns>Every request's line, and the most cache volumes the watcher saw at once.</returns>
    public static async Task<(string[] Lines, int MostCacheVolumes, long Looks)> RunAsync(
        string volumes, string images, string store, IReadOnlyList<(string Name, string Backend, string? Cluster)> hosts, int requestsPerHost, int seed, IReadOnlyList<string> imageIds,
        Func<Task>? during = null)
    {
        string start = Path.Combine(Path.GetDirectoryName(volumes)!, "start-" + Guid.NewGuid().ToString("N"));
        string stop = Path.Combine(Path.GetDirectoryName(volumes)!, "stop-" + Guid.NewGuid().ToString("N"));
        string requests = during is null ? ChildProcess.Number(requestsPerHost) : $"until={stop}";
        Process[] children = [.. hosts.Select((h, i) => ChildProcess.Start(
            ["share", volumes, images, store, h.Name, requests, ChildProcess.Number(seed + (100 * i)), start, h.Backend, h.Cluster ?? "-", .. imageIds]))];
        try
        {
            foreach (Process child in children)
            {
                Assert.That(await child.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), await ChildProcess.ErrorsAsync(child));
            }

            using var watcher = new CacheVolumeWatcher(volumes);
            await File.WriteAllTextAsync(start, "go");
            if (during is not null)
            {
                try
                {
                    await during();
                }
                finally
                {
                    await File.WriteAllTextAsync(stop, "stop");
                }
            }

            string[][] lines = await Task.WhenAll(children.Select(c => ChildProcess.LinesAsync(c, TimeSpan.FromMinutes(5))));
            return ([.. lines.SelectMany(l => l)], watcher.Most, watcher.Looks);
        }
        finally
        {
            foreach (Process child in children)
            {
                child.Dispose();
            }
        }
    }
}
