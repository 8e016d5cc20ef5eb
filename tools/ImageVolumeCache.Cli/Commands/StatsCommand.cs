using System.CommandLine;
using ImageVolumeCache.Cli.Output;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>
/// <c>ivc stats [--json]</c>: per scope, what the store holds against the limits the configuration sets. The counters a
/// serving host keeps since it started (hits, misses, evictions, fills in progress) are that host's: its metrics and its
/// own <c>GetStatisticsAsync</c> report them, not a separate process.
/// </summary>
internal static class StatsCommand
{
    public static Command Create(IvcCommandLine cli)
    {
        Option<bool> json = CommandOptions.Json();
        var command = new Command("stats", "Per scope: entries and GB held, against the configured limits.") { json };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "stats", async host =>
        {
            ImageVolumeCacheStatistics statistics = await host.Cache.GetStatisticsAsync(cancellationToken);
            ScopeView[] scopes = [.. statistics.Scopes.Select(ScopeView.Of)];
            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, new { statistics.CollectedAt, Scopes = scopes });
                return IvcExitCodes.Success;
            }

            if (scopes.Length == 0)
            {
                await cli.Output.WriteLineAsync("No cache scopes: the store holds no entries.");
                return IvcExitCodes.Success;
            }

            var table = new TextTable("SCOPE", "BACKEND", "ENABLED", "ENTRIES", "MAX ENTRIES", "GB", "MAX GB", "OVER LIMITS");
            foreach (ScopeView s in scopes)
            {
                table.Add(
                    s.Scope, s.Backend, s.Enabled ? "yes" : "no", Formats.Number(s.Entries), Formats.Limit(s.MaxCount), Formats.Number(s.SizeGb),
                    Formats.Limit(s.MaxSizeGb), s.OverLimits ? "yes" : "no");
            }

            await table.WriteAsync(cli.Output);
            return IvcExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>A scope as <c>ivc stats --json</c> writes it.</summary>
    internal sealed record ScopeView(string Scope, string Backend, bool Enabled, int Entries, int MaxCount, long SizeGb, int MaxSizeGb, bool OverLimits)
    {
        public static ScopeView Of(CacheScopeStatistics s) => new(s.ScopeKey, s.Backend, s.Enabled, s.Entries, s.MaxCount, s.SizeGb, s.MaxSizeGb, s.OverLimits);
    }
}
