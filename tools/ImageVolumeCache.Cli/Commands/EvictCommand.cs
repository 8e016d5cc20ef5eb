using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ImageVolumeCache.Cli.Hosting;
using ImageVolumeCache.Cli.Configuration;
using ImageVolumeCache.Cli.Output;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>
/// <c>ivc evict --entry ID | --image ID [--backend NAME] [--json]</c>: evicts one entry, or every entry of an image (of
/// one backend with <c>--backend</c>), as the cache evicts: the cache volume deleted, the entry removed, one
/// <c>evict</c> each. An entry a clone is using is left (exit 1).
/// </summary>
internal static class EvictCommand
{
    public static Command Create(IvcCommandLine cli)
    {
        var entry = new Option<long?>("--entry") { Description = "The id of the entry to evict (ivc entries lists them).", HelpName = "ID" };
        var image = new Option<string>("--image") { Description = "Evict every entry of this image.", HelpName = "IMAGE-ID" };
        Option<string> backend = CommandOptions.Backend("With --image: only the entries of the scopes this backend (host@backend) serves.", required: false);
        Option<bool> json = CommandOptions.Json();
        var command = new Command("evict", "Evict one entry, or every entry of an image; entries in use are left.") { entry, image, backend, json };
        command.Validators.Add(result =>
        {
            bool byEntry = result.GetResult(entry) is not null, byImage = result.GetResult(image) is not null;
            if (byEntry == byImage)
            {
                result.AddError("ivc evict takes one of --entry ID and --image IMAGE-ID.");
            }
            else if (byEntry && result.GetResult(backend) is not null)
            {
                result.AddError("--backend goes with --image; an entry id names one entry already.");
            }
        });
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "evict", async host =>
        {
            IReadOnlyList<ImageCacheEntry> all = await host.Cache.ListAsync(null, cancellationToken);
            long? id = parse.GetValue(entry);
            string? only = parse.GetValue(backend);
            ImageCacheEntry[] chosen = id is { } wanted
                ? [.. all.Where(e => e.Id == wanted)]
                : [.. all.Where(e => string.Equals(e.ImageId, parse.GetValue(image), StringComparison.Ordinal)
                    && (only is null || host.Serves(only, e.ScopeKey)))];
            if (chosen.Length == 0)
            {
                string what = id is { } missing
                    ? $"There is no entry {missing.ToString(CultureInfo.InvariantCulture)}."
                    : $"There is no entry of image {parse.GetValue(image)}{(only is null ? string.Empty : $" on backend {only}")}.";
                await cli.Error.WriteLineAsync($"ivc evict: {what}");
                return IvcExitCodes.NotFound;
            }

            var evicted = new List<ImageCacheEntry>();
            var left = new List<ImageCacheEntry>();
            foreach (ImageCacheEntry e in chosen)
            {
                try
                {
                    (await host.Cache.EvictAsync(e, cancellationToken) ? evicted : left).Add(e);
                }
                catch (ArgumentException ex) when (evicted.Count == 0 && left.Count == 0)
                {
                    // No driver for the entry's backend: refused before anything was evicted.
                    throw new ToolUsageException($"{ex.Message} Give its volumes folder with --fs-backend, or its driver with a plug-in.");
                }
            }

            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, new { Evicted = evicted.Select(EntryView.Of), Left = left.Select(EntryView.Of) });
            }
            else
            {
                foreach (ImageCacheEntry e in evicted)
                {
                    await cli.Output.WriteLineAsync($"Evicted entry {Formats.Number(e.Id)}: image {e.ImageId}, volume {e.VolumeId}, scope {e.ScopeKey}.");
                }

                foreach (ImageCacheEntry e in left)
                {
                    await cli.Output.WriteLineAsync(
                        $"Left entry {Formats.Number(e.Id)}: image {e.ImageId}, volume {e.VolumeId}, scope {e.ScopeKey}: a clone is using it, another process removed it meanwhile, or its volume could not be deleted (a warning above says which). Evict it again later.");
                }
            }

            return left.Count == 0 ? IvcExitCodes.Success : IvcExitCodes.Failed;
        }, cancellationToken, ToolNeeds.ChangesCache));
        return command;
    }
}
