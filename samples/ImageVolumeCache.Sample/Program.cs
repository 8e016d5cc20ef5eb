// The image-volume cache on real files: a demo image in a folder, volumes as sparse files on one backend. The first
// volume is a cache miss, the others clone the cache volume; entries are kept in a SQLite file, so a second run starts
// with hits (so it does with --store postgres, in a PostgreSQL database). Options: --help, or see SampleCommandLine.
using ImageVolumeCache.Sample;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await SampleCommandLine.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, cancellation.Token);
