using ImageVolumeCache.Cli;

// Ctrl+C cancels the running command (which then exits 130) instead of killing the process mid-eviction.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await IvcCommandLine.RunAsync(args, Console.Out, Console.Error, Environment.CurrentDirectory, stop.Token);
