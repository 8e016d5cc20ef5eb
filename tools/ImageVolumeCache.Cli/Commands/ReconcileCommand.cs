using System.CommandLine;
using ImageVolumeCache.Cli.Configuration;
using ImageVolumeCache.Cli.Hosting;
using ImageVolumeCache.Cli.Output;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>
/// <c>ivc reconcile --backend NAME [--json]</c>: brings a backend's entries in line with the volumes its driver lists, as
/// a host does at start-up (<c>ReconcileAsync</c>). Safe beside serving hosts on a store that coordinates them (SQLite,
/// PostgreSQL): a cache volume another process is filling holds a reservation in the store and is left alone.
/// </summary>
internal static class ReconcileCommand
{
    public static Command Create(IvcCommandLine cli)
    {
        Option<string> backend = CommandOptions.Backend("The backend (host@backend) to reconcile.", required: true);
        Option<bool> json = CommandOptions.Json();
        var command = new Command(
            "reconcile",
            "Remove entries whose cache volume is gone, adopt complete cache volumes without an entry, delete the other leftovers.")
        {
            backend,
            json,
        };
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "reconcile", async host =>
        {
            ReconciliationResult result;
            try
            {
                result = await host.Cache.ReconcileAsync(parse.GetValue(backend)!, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new ToolUsageException(ex.Message);
            }

            bool enabled = host.IsEnabled(result.Backend);
            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, new { Reconciled = enabled, Result = result });
            }
            else if (!enabled)
            {
                await cli.Output.WriteLineAsync($"The cache is off for backend {result.Backend} (its Enabled, or no internal tenant): nothing was reconciled.");
            }
            else
            {
                await cli.Output.WriteLineAsync(
                    $"Backend {result.Backend}: {Formats.Number(result.EntriesRemoved)} entries removed (volume gone), {Formats.Number(result.VolumesAdopted)} volumes adopted, "
                    + $"{Formats.Number(result.VolumesDeleted)} volumes deleted, {Formats.Number(result.VolumesSkipped)} volumes skipped (in use or being filled), "
                    + $"{Formats.Number(result.EntriesUntrusted)} untrusted entries dropped, {Formats.Number(result.EntriesQuarantined)} unreadable entries quarantined, {Formats.Number(result.Failures)} failures.");
            }

            return result.Failures > 0 ? IvcExitCodes.Failed : IvcExitCodes.Success;
        }, cancellationToken, ToolNeeds.ChangesCache | ToolNeeds.ImageService));
        return command;
    }
}
