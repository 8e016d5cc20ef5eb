using System.Text.RegularExpressions;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// Watches a file-system backend's directory from a thread of its own while a test runs, and records the most cache
/// volumes (data files named by a GUID, as the cache names its volumes; users' volumes in these tests have other ids)
/// seen at one instant, so that a test can say a limit held all along, not only at the end.
/// </summary>
public sealed partial class CacheVolumeWatcher : IDisposable
{
    private readonly string _directory;
    private readonly Thread _thread;
    private volatile bool _stopped;
    private int _most;
    private long _looks;

    /// <summary>Starts watching <paramref name="directory"/>.</summary>
    /// <param name="directory">The backend's directory.</param>
    public CacheVolumeWatcher(string directory)
    {
        _directory = directory;
        _thread = new Thread(Watch) { IsBackground = true, Name = "cache volume watcher" };
        _thread.Start();
    }

    /// <summary>The most cache volumes seen at one look.</summary>
    public int Most => Volatile.Read(ref _most);

    /// <summary>How many times the directory was listed.</summary>
    public long Looks => Interlocked.Read(ref _looks);

    /// <summary>Stops watching and waits for the watching thread to end.</summary>
    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }

    private void Watch()
    {
        while (!_stopped)
        {
            int count = 0;
            foreach (string file in Directory.EnumerateFiles(_directory, "*.img"))
            {
                if (CacheVolumeFile().IsMatch(Path.GetFileName(file)))
                {
                    count++;
                }
            }

            if (count > _most)
            {
                Volatile.Write(ref _most, count);
            }

            Interlocked.Increment(ref _looks);
            Thread.Sleep(1);
        }
    }

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.img$", RegexOptions.CultureInvariant)]
    private static partial Regex CacheVolumeFile();
}
