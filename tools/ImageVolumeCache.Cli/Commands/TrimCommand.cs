using System.CommandLine;
using ImageVolumeCache.Cli.Output;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>
/// <c>ivc trim [--json]</c>: one trim now, as a host's trimmer runs every <c>TrimInterval</c>: limits, idle entries,
/// purges of disabled backends, and the next batch of image checks (with an image service: <c>--image-folder</c> or a plug-in's).
/// </summary>
internal static class TrimCommand
{
    public static Command Create(IvcCommandLine cli)
    {
        Option<bool> json = CommandOptions.Json();
        var command = new Command(
            "trim",
            "Trim now, as the hosts' trimmer does: evict down to the limits, idle entries (MaxIdle), disabled backends' entries (PurgeWhenDisabled), and entries of deleted or changed images.")
        {
            json,
        };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "trim", async host =>
        {
            TrimResult result = await host.Cache.TrimAllAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, result);
            }
            else
            {
                await cli.Output.WriteLineAsync(
                    $"Evicted {Formats.Number(result.Evicted)}: {Formats.Number(result.OverLimits)} over limits, {Formats.Number(result.Idle)} idle, "
                    + $"{Formats.Number(result.Purged)} of disabled backends, {Formats.Number(result.ImageDeleted)} of deleted images, {Formats.Number(result.Stale)} of changed images.");
            }

            return IvcExitCodes.Success;
        }, cancellationToken, changesCache: true));
        return command;
    }
}
