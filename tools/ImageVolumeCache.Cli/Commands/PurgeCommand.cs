using System.CommandLine;
using ImageVolumeCache.Cli.Configuration;
using ImageVolumeCache.Cli.Hosting;
using ImageVolumeCache.Cli.Output;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>
/// <c>ivc purge --backend NAME [--json]</c>: evicts every entry of a backend's scopes (its own, its pools', its
/// cluster's) that no clone is using; exit 1 when some were in use and left.
/// </summary>
internal static class PurgeCommand
{
    public static Command Create(IvcCommandLine cli)
    {
        Option<string> backend = CommandOptions.Backend("The backend (host@backend) whose scopes are purged: its own and its pools', and its cluster's, which the cluster's other members share.", required: true);
        Option<bool> json = CommandOptions.Json();
        var command = new Command("purge", "Evict every entry not in use of the scopes a backend serves (its own, its pools', its cluster's).") { backend, json };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "purge", async host =>
        {
            string name = parse.GetValue(backend)!;
            IReadOnlyList<ImageCacheEntry> before = await host.Cache.ListAsync(null, cancellationToken);
            string[] scopes = [.. before.Select(e => e.ScopeKey).Where(k => host.Serves(name, k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            var evicted = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string scope in scopes)
            {
                try
                {
                    evicted[scope] = await host.Cache.PurgeAsync(scope, cancellationToken);
                }
                catch (ArgumentException ex) when (evicted.Count == 0)
                {
                    throw new ToolUsageException($"{ex.Message} Give its volumes folder with --fs-backend, or its driver with a plug-in.");
                }
            }

            // What is left is read again: an entry another process removed meanwhile is not "left".
            HashSet<long> listedBefore = [.. before.Select(e => e.Id)];
            ILookup<string, ImageCacheEntry> after = (await host.Cache.ListAsync(null, cancellationToken)).ToLookup(e => e.ScopeKey, StringComparer.Ordinal);
            PurgeView[] results = [.. scopes.Select(scope => new PurgeView(scope, evicted[scope], after[scope].Count(e => listedBefore.Contains(e.Id))))];

            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, new { Backend = name, Scopes = results });
            }
            else if (results.Length == 0)
            {
                await cli.Output.WriteLineAsync($"Backend {name} has no cache entries.");
            }
            else
            {
                foreach (PurgeView r in results)
                {
                    await cli.Output.WriteLineAsync(
                        $"Scope {r.Scope}: {Formats.Number(r.Evicted)} evicted" + (r.Left > 0 ? $", {Formats.Number(r.Left)} in use and left (purge again once their clones are done)." : "."));
                }
            }

            return results.Any(r => r.Left > 0) ? IvcExitCodes.Failed : IvcExitCodes.Success;
        }, cancellationToken, ToolNeeds.ChangesCache));
        return command;
    }

    /// <summary>One scope's purge as <c>--json</c> writes it.</summary>
    internal sealed record PurgeView(string Scope, int Evicted, int Left);
}
