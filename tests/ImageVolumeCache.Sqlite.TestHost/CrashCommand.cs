namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>
/// Starts a <see cref="CrashHost"/> (which reconciles at start-up), prints "ready", then creates volumes from the given
/// images until it is killed: sizes of 1 or 2 GB (a 2 GB hit is extended), and each user's volume deleted again after
/// the next one is made. Prints a line before each request ("request"), after it ("done"), and around each driver call
/// (<see cref="ProgressDriver"/>), so that the test can tell what it was doing when it was killed.
/// </summary>
internal static class CrashCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string volumes, string images, string database, string run, _, ..])
        {
            Console.Error.WriteLine("usage: crash <volumes-dir> <images-dir> <database> <run> <image-id>...");
            return 2;
        }

        string[] imageIds = args[4..];
        ProgressDriver? driver = null;
        await using var services = CrashHost.Build(
            volumes, images, database, inner => driver = new ProgressDriver(inner, Console.Out), fillLeaseDuration: TimeSpan.FromSeconds(2));
        await CrashHost.StartAsync(services);
        Console.WriteLine("ready");

        var random = new Random(run.GetHashCode(StringComparison.Ordinal));
        string? previous = null;
        for (int i = 0; ; i++)
        {
            string target = $"{CrashHost.TargetPrefix}{run}-{i}";
            string image = imageIds[random.Next(imageIds.Length)];
            Console.WriteLine($"request {target} {image}");
            CreateVolumeFromImageResult result = await CrashHost.CreateAsync(services, target, image, random.Next(3) == 0 ? 2 : 1);
            Console.WriteLine($"done {target} {result.Path}");
            if (previous is not null)
            {
                await driver!.DeleteVolumeAsync(previous, CancellationToken.None);
                Console.WriteLine($"deleted {previous}");
            }

            previous = target;
        }
    }
}
