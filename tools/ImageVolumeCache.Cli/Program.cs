using ImageVolumeCache.Cli;

// The first Ctrl+C cancels the running command (which then exits 130) instead of killing the process mid-eviction; a
// second one, for a driver call that does not answer, ends the process.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
};

return await IvcCommandLine.RunAsync(args, Console.Out, Console.Error, Environment.CurrentDirectory, stop.Token);
