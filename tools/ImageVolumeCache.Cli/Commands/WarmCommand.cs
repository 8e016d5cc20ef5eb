using System.CommandLine;
using ImageVolumeCache.Cli.Configuration;
using ImageVolumeCache.Cli.Hosting;
using ImageVolumeCache.Cli.Output;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>
/// <c>ivc warm --backend NAME --image ID... [--json]</c>: makes entries of the images' current versions without a user
/// volume, through the cache's fill protocol (<c>WarmAsync</c>): downloads, checks and converts as a miss does. Needs the
/// image service (<c>--image-folder</c>, or a plug-in's). Exit 1 when an image could not be warmed.
/// </summary>
internal static class WarmCommand
{
    public static Command Create(IvcCommandLine cli)
    {
        Option<string> backend = CommandOptions.Backend("The backend (host@backend) to warm.", required: true);
        var images = new Option<string[]>("--image") { Description = "An image to warm; repeatable.", HelpName = "IMAGE-ID", Required = true, Arity = ArgumentArity.OneOrMore };
        Option<bool> json = CommandOptions.Json();
        var command = new Command("warm", "Fill the cache with images ahead of demand, so that their first volume is a hit.") { backend, images, json };
        command.Validators.Add(result =>
        {
            // Checked before anything is filled: a blank id among good ones would otherwise stop the warm half-way.
            if (result.GetResult(images)?.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)) == true)
            {
                result.AddError("--image needs an image id, not a blank.");
            }
        });
        command.Validators.Add(result =>
        {
            if (result.GetResult(backend)?.Tokens.FirstOrDefault()?.Value is { } name && string.IsNullOrWhiteSpace(name))
            {
                result.AddError("--backend needs a backend name (host@backend), not a blank.");
            }
        });
        command.SetAction((parse, cancellationToken) => cli.RunAsync(parse, "warm", async host =>
        {
            IReadOnlyList<ImageWarmResult> results;
            try
            {
                results = await host.Cache.WarmAsync(parse.GetValue(backend)!, parse.GetValue(images)!, cancellationToken);
            }
            catch (ArgumentException ex) when (ex.ParamName == "backend")
            {
                // An unregistered backend is refused before any image is filled.
                throw new ToolUsageException(ex.Message);
            }

            if (parse.GetValue(json))
            {
                await ToolJson.WriteAsync(cli.Output, results.Select(r => new { r.ImageId, r.Outcome, Error = r.Error?.Message }));
            }
            else
            {
                var table = new TextTable("IMAGE", "OUTCOME", "ERROR");
                foreach (ImageWarmResult r in results)
                {
                    table.Add(r.ImageId, Outcome(r.Outcome), r.Error?.Message.ReplaceLineEndings(" ") ?? string.Empty);
                }

                await table.WriteAsync(cli.Output);
            }

            return results.Any(r => r.Outcome == ImageWarmOutcome.Failed) ? IvcExitCodes.Failed : IvcExitCodes.Success;
        }, cancellationToken, ToolNeeds.ChangesCache | ToolNeeds.ImageService));
        return command;
    }

    private static string Outcome(ImageWarmOutcome outcome) => outcome switch
    {
        ImageWarmOutcome.AlreadyCached => "already cached",
        ImageWarmOutcome.Filled => "filled",
        ImageWarmOutcome.NotCached => "not cached (no room)",
        _ => "failed",
    };
}
