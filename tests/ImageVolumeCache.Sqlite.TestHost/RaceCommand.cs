namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// Waits for a start file, then adds one entry for the shared image "image-shared" and entries for images of its own;
/// prints how many of its adds of the shared image won.
/// </summary>
internal static class RaceCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string database, string startFile, string name, string ownImagesText] || !int.TryParse(ownImagesText, out int ownImages))
        {
            Console.Error.WriteLine("usage: race <database> <start-file> <name> <own-images>");
            return 2;
        }

        using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = database, BusyTimeout = TimeSpan.FromSeconds(30) });
        await store.InitializeAsync(CancellationToken.None);
        Console.WriteLine("ready");
        while (!File.Exists(startFile))
        {
            await Task.Delay(1);
        }

        var t0 = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        int won = 0;
        for (int i = 0; i <= ownImages; i++)
        {
            string image = i == 0 ? "image-shared" : $"image-{name}-{i}";
            var entry = new ImageCacheEntry(0, "host1@lvm", "host1@lvm", null, image, t0, $"volume-{name}-{i}", 1, t0, t0);
            if (await store.TryAddAsync(entry, CancellationToken.None) is not null && i == 0)
            {
                won++;
            }
        }

        Console.WriteLine($"shared-won {won}");
        return 0;
    }
}
