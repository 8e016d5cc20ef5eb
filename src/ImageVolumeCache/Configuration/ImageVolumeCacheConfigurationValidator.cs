using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Configuration;

/// <summary>
/// Checks the configuration section the options were bound from, on start-up and on every reload: a value that cannot
/// be read as its option's type is a failure; a key no option reads is one too, or a logged warning when
/// <see cref="ImageVolumeCacheOptions.UnknownKeys"/> is <see cref="UnknownKeyHandling.Warn"/>.
/// </summary>
internal sealed class ImageVolumeCacheConfigurationValidator(
    IConfiguration configuration,
    ImageVolumeCacheConfigurationPath path,
    ILogger logger) : IValidateOptions<ImageVolumeCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ImageVolumeCacheOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var check = ImageVolumeCacheConfigurationCheck.Run(configuration);
        var failures = new List<string>(check.BadValues);
        foreach (UnknownConfigurationKey unknown in check.UnknownKeys)
        {
            if (options.UnknownKeys == UnknownKeyHandling.Warn)
            {
                Log.UnknownConfigurationKey(logger, unknown.Key, unknown.KnownKeys);
            }
            else
            {
                failures.Add($"{unknown.Key} is not a known key (known here: {unknown.KnownKeys}); to only warn of unknown keys, set {path.Key("UnknownKeys")} to Warn.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
