using System.CommandLine;
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
        Option<string> backend = CommandOptions.Backend("The backend (host@backend) whose entries are evicted.", required: true);
        Option<bool> json = CommandOptions.Json();
        var command = new Command("purge", "Evict every entry of a backend that is not in use.") { backend, json };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "purge", async host =>
        {
            string name = parse.GetValue(backend)!;
            IReadOnlyList<ImageCacheEntry> all = await host.Cache.ListAsync(null, cancellationToken);
            string[] scopes = [.. all.Where(e => string.Equals(e.Scope.Backend, name, StringComparison.Ordinal)).Select(e => e.ScopeKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            var results = new List<PurgeView>();
            foreach (string scope in scopes)
            {
                int before = all.Count(e => string.Equals(e.ScopeKey, scope, StringComparison.Ordinal));
                int purged = await host.Cache.PurgeAsync(scope, cancellationToken);
                results.Add(new PurgeView(scope, purged, Math.Max(0, before - purged)));
            }

            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, new { Backend = name, Scopes = results });
            }
            else if (results.Count == 0)
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
        }, cancellationToken, changesCache: true));
        return command;
    }

    /// <summary>One scope's purge as <c>--json</c> writes it.</summary>
    internal sealed record PurgeView(string Scope, int Evicted, int Left);
}
