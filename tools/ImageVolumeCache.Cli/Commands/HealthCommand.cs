using System.CommandLine;
using ImageVolumeCache.Cli.Output;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>
/// <c>ivc health [--json]</c>: runs the cache's health check (the one hosts add with
/// <c>AddHealthChecks().AddImageVolumeCache()</c>) from here: exit 0 healthy, 4 degraded, 5 unhealthy.
/// </summary>
internal static class HealthCommand
{
    /// <summary>The name hosts give the check by default, used for the line of a store that cannot be opened.</summary>
    private const string CheckName = "imagevolumecache";

    public static Command Create(IvcCommandLine cli)
    {
        Option<bool> json = CommandOptions.Json();
        var command = new Command("health", "Check the cache's health: the store readable, the backends listing, the scopes within their limits.") { json };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "health", async host =>
        {
            HealthReport report = await host.Health.CheckHealthAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, new
                {
                    report.Status,
                    Checks = report.Entries.Select(e => new
                    {
                        Name = e.Key,
                        e.Value.Status,
                        e.Value.Description,
                        Error = e.Value.Exception?.Message,
                        DurationMs = e.Value.Duration.TotalMilliseconds,
                    }),
                });
            }
            else
            {
                await cli.Output.WriteLineAsync(report.Status.ToString());
                foreach ((string name, HealthReportEntry entry) in report.Entries)
                {
                    await cli.Output.WriteLineAsync($"{name}: {entry.Status}. {entry.Description}".TrimEnd());
                }
            }

            return report.Status switch
            {
                HealthStatus.Healthy => IvcExitCodes.Success,
                HealthStatus.Degraded => IvcExitCodes.Degraded,
                _ => IvcExitCodes.Unhealthy,
            };
        }, cancellationToken, storeUnusable: ex => WriteStoreUnusableAsync(cli, parse.GetValue(json), ex)));
        return command;
    }

    /// <summary>A store that cannot be opened (a corrupt file, a server that refuses): for a health probe that is the answer, unhealthy, exit 5.</summary>
    private static async Task<int> WriteStoreUnusableAsync(IvcCommandLine cli, bool json, CacheEntryStoreException ex)
    {
        if (json)
        {
            await ToolJson.WriteAsync(cli.Output, new
            {
                Status = HealthStatus.Unhealthy,
                Checks = new[] { new { Name = CheckName, Status = HealthStatus.Unhealthy, Description = ex.Message, Error = ex.Message, DurationMs = 0.0 } },
            });
        }
        else
        {
            await cli.Output.WriteLineAsync("Unhealthy");
            await cli.Output.WriteLineAsync($"{CheckName}: Unhealthy. {ex.Message}");
        }

        return IvcExitCodes.Unhealthy;
    }
}
