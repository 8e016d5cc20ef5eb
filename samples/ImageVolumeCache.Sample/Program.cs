// The image-volume cache on real files: a demo image in a folder, volumes as sparse files on one backend. The first
// volume is a cache miss, the others clone the cache volume; entries are kept in a SQLite file, so a second run starts
// with hits (so it does with --store postgres, in a PostgreSQL database). Options: see SampleOptions and appsettings.json.
using ImageVolumeCache.Sample;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await SampleRunner.RunAsync(args, Console.Out, interactive: !Console.IsOutputRedirected, cancellation.Token);
