using System.CommandLine;
using ImageVolumeCache.Cli.Hosting;
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
            bool checkedImages = host.ImageService is not null && host.Options.ImageChecksPerTrim > 0;
            string[] overLimits = [.. (await host.Cache.GetStatisticsAsync(cancellationToken)).Scopes.Where(s => s.OverLimits).Select(s => s.ScopeKey)];
            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, new
                {
                    result.Purged, result.OverLimits, result.Idle, result.ImageDeleted, result.Stale, result.Evicted,
                    ImagesChecked = checkedImages,
                    ScopesStillOverLimits = overLimits,
                });
            }
            else
            {
                await cli.Output.WriteLineAsync(
                    $"Evicted {Formats.Number(result.Evicted)}: {Formats.Number(result.OverLimits)} over limits, {Formats.Number(result.Idle)} idle, {Formats.Number(result.Purged)} of disabled backends, "
                    + (checkedImages
                        ? $"{Formats.Number(result.ImageDeleted)} of deleted images, {Formats.Number(result.Stale)} of changed images."
                        : "no image checks (no image service: --image-folder, or ImageChecksPerTrim is 0)."));
                foreach (string scope in overLimits)
                {
                    await cli.Output.WriteLineAsync($"Scope {scope} is still over its limits: its other entries are in use. Trim again once their clones are done.");
                }
            }

            return overLimits.Length == 0 ? IvcExitCodes.Success : IvcExitCodes.Failed;
        }, cancellationToken, ToolNeeds.ChangesCache | ToolNeeds.KnownImages));
        return command;
    }
}
