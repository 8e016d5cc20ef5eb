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
    public const string Name = "health";

    /// <summary>The name hosts give the check by default, used for the line of a store that cannot be opened.</summary>
    public const string CheckName = "imagevolumecache";

    private static readonly Option<bool> JsonOption = CommandOptions.Json();

    /// <summary>The answer when the store cannot be opened (a corrupt file, a server that refuses): unhealthy, exit 5.</summary>
    public static async Task<int> WriteStoreUnusableAsync(IvcCommandLine cli, ParseResult parse, CacheEntryStoreException ex)
    {
        if (parse.GetValue(JsonOption))
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

    public static Command Create(IvcCommandLine cli)
    {
        Option<bool> json = JsonOption;
        var command = new Command(Name, "Check the cache's health: the store readable, the backends listing, the scopes within their limits.") { json };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, Name, async host =>
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
        }, cancellationToken));
        return command;
    }
}
