using System.CommandLine;
using ImageVolumeCache.Cli.Output;

namespace ImageVolumeCache.Cli.Commands;

/// <summary><c>ivc entries [--backend NAME] [--json]</c>: the entries, most recently used first.</summary>
internal static class EntriesCommand
{
    public static Command Create(IvcCommandLine cli)
    {
        Option<string> backend = CommandOptions.Backend("Only the entries of the scopes this backend (host@backend) serves: its own and its pools', and its cluster's.", required: false);
        Option<bool> json = CommandOptions.Json();
        var command = new Command("entries", "List the cache entries, most recently used first.") { backend, json };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "entries", async host =>
        {
            // One listing, sorted here: pages read while hosts touch entries could repeat or skip one.
            string? only = parse.GetValue(backend);
            ImageCacheEntry[] entries =
            [
                .. (await host.Cache.ListAsync(null, cancellationToken))
                    .Where(e => only is null || host.Serves(only, e.ScopeKey))
                    .OrderByDescending(e => e.LastUsed)
                    .ThenBy(e => e.Id),
            ];

            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, entries.Select(EntryView.Of));
                return IvcExitCodes.Success;
            }

            if (entries.Length == 0)
            {
                await cli.Output.WriteLineAsync(only is null ? "No cache entries." : $"No cache entries of backend {only}.");
                return IvcExitCodes.Success;
            }

            var table = new TextTable("ID", "SCOPE", "IMAGE", "VOLUME", "GB", "LAST USED", "CREATED");
            foreach (ImageCacheEntry e in entries)
            {
                table.Add(Formats.Number(e.Id), e.ScopeKey, e.ImageId, e.VolumeId, Formats.Number(e.SizeGb), Formats.Time(e.LastUsed), Formats.Time(e.CreatedAt));
            }

            await table.WriteAsync(cli.Output);
            return IvcExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
