using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Glance.Configuration;

/// <summary>Checks <see cref="GlanceImageServiceOptions"/> at start-up; each failure names its option.</summary>
internal sealed class GlanceImageServiceOptionsValidator : IValidateOptions<GlanceImageServiceOptions>
{
    private const string Prefix = nameof(GlanceImageServiceOptions);

    public ValidateOptionsResult Validate(string? name, GlanceImageServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Endpoint is null)
        {
            failures.Add($"{Prefix}.{nameof(options.Endpoint)} is required: the root of the Glance API, for example http://glance.example:9292.");
        }
        else if (!options.Endpoint.IsAbsoluteUri || (options.Endpoint.Scheme != Uri.UriSchemeHttp && options.Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Prefix}.{nameof(options.Endpoint)} must be an absolute http or https URI, but was '{options.Endpoint}'.");
        }

        if (options.RequestTimeout < TimeSpan.FromMilliseconds(1) || options.RequestTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{Prefix}.{nameof(options.RequestTimeout)} must be from 00:00:00.001 to 01:00:00, but was {options.RequestTimeout}.");
        }

        if (options.RequestRetries is < 0 or > 10)
        {
            failures.Add($"{Prefix}.{nameof(options.RequestRetries)} must be from 0 to 10, but was {options.RequestRetries}.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Prefix}.{nameof(options.RetryDelay)} must be from 00:00:00 to 00:01:00, but was {options.RetryDelay}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
