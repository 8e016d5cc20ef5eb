using ImageVolumeCache.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Configuration;

/// <summary>
/// Checks <see cref="ImageVolumeCacheOptions"/> at start-up and on every reload; each message names the configuration key
/// that is wrong, under the section the options were bound from.
/// </summary>
internal sealed class ImageVolumeCacheOptionsValidator(
    ImageVolumeCacheConfigurationPath path,
    IEnumerable<VolumeBackendRegistration> backends) : IValidateOptions<ImageVolumeCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ImageVolumeCacheOptions options)
    {
        var failures = new List<string>();

        ValidateTenant(options.InternalTenant, failures);
        ValidateLimit(options.Defaults.MaxSizeGb, path.Key("Defaults:MaxSizeGb"), failures);
        ValidateLimit(options.Defaults.MaxCount, path.Key("Defaults:MaxCount"), failures);

        if (options.DownloadStallTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{path.Key("DownloadStallTimeout")} must be more than zero, but was {options.DownloadStallTimeout}.");
        }

        if (options.DownloadRetries < 0)
        {
            failures.Add($"{path.Key("DownloadRetries")} must be 0 or more, but was {options.DownloadRetries}.");
        }

        var registered = new HashSet<string>(backends.Select(b => b.Name), StringComparer.Ordinal);
        foreach ((string backend, BackendCacheOptions own) in options.Backends)
        {
            if (string.IsNullOrWhiteSpace(backend))
            {
                failures.Add($"{path.Key("Backends")} has a backend with an empty name.");
                continue;
            }

            string key = path.Key($"Backends:{backend}");
            ValidateLimit(own.MaxSizeGb, $"{key}:MaxSizeGb", failures);
            ValidateLimit(own.MaxCount, $"{key}:MaxCount", failures);
            if (!registered.Contains(backend))
            {
                string known = registered.Count == 0 ? "none" : string.Join(", ", registered.Order(StringComparer.Ordinal));
                failures.Add($"{key} is configured but no driver is registered for backend '{backend}' (registered: {known}). Call AddBackend(\"{backend}\", ...).");
            }
        }

        for (int i = 0; i < options.AllowedDirectUrlSchemes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.AllowedDirectUrlSchemes[i]))
            {
                failures.Add($"{path.Key($"AllowedDirectUrlSchemes:{i}")} is empty.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateTenant(InternalTenantOptions tenant, List<string> failures)
    {
        bool hasProject = !string.IsNullOrWhiteSpace(tenant.ProjectId);
        bool hasUser = !string.IsNullOrWhiteSpace(tenant.UserId);
        string projectKey = path.Key("InternalTenant:ProjectId");
        string userKey = path.Key("InternalTenant:UserId");
        if (hasProject && !hasUser)
        {
            failures.Add($"{userKey} is required when {projectKey} is set (set both, or neither to turn the cache off).");
        }
        else if (hasUser && !hasProject)
        {
            failures.Add($"{projectKey} is required when {userKey} is set (set both, or neither to turn the cache off).");
        }
    }

    private static void ValidateLimit(int? value, string key, List<string> failures)
    {
        if (value < 0)
        {
            failures.Add($"{key} must be 0 (unlimited) or more, but was {value}.");
        }
    }
}
