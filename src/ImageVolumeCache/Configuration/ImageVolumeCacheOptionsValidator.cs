using ImageVolumeCache.Backends;
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
    /// <summary>Timers count whole milliseconds: a shorter stall timeout fires at once, and every download would stall.</summary>
    internal static readonly TimeSpan MinDownloadStallTimeout = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest a timer waits (<see cref="uint.MaxValue"/> - 1 ms, about 49.7 days); a longer one throws when it is started.</summary>
    internal static readonly TimeSpan MaxDownloadStallTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public ValidateOptionsResult Validate(string? name, ImageVolumeCacheOptions options)
    {
        var failures = new List<string>();

        ValidateTenant(options.InternalTenant, failures);
        ValidateLimit(options.Defaults.MaxSizeGb, path.Key("Defaults:MaxSizeGb"), failures);
        ValidateLimit(options.Defaults.MaxCount, path.Key("Defaults:MaxCount"), failures);

        ValidateStallTimeout(options.DownloadStallTimeout, failures);

        if (options.DownloadRetries < 0)
        {
            failures.Add($"{path.Key("DownloadRetries")} must be 0 or more, but was {options.DownloadRetries}.");
        }

        if (options.PinLinger < TimeSpan.Zero || options.PinLinger > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{path.Key("PinLinger")} must be from 00:00:00 to 00:01:00, but was {options.PinLinger}.");
        }

        if (options.FillLeaseDuration < TimeSpan.FromSeconds(1) || options.FillLeaseDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{path.Key("FillLeaseDuration")} must be from 00:00:01 to 1.00:00:00, but was {options.FillLeaseDuration}.");
        }

        if (options.FillLeaseWaitTimeout < TimeSpan.Zero || options.FillLeaseWaitTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"{path.Key("FillLeaseWaitTimeout")} must be from 00:00:00 to 1.00:00:00, but was {options.FillLeaseWaitTimeout}.");
        }

        if (!Enum.IsDefined(options.UnknownKeys))
        {
            failures.Add($"{path.Key("UnknownKeys")} must be Error or Warn, but was {options.UnknownKeys}.");
        }

        ValidateConversion(options.Conversion, failures);
        if (options.Defaults.MaxIdle < TimeSpan.Zero)
        {
            failures.Add($"{path.Key("Defaults:MaxIdle")} must be 0 (never) or more, but was {options.Defaults.MaxIdle}.");
        }

        if (options.TrimInterval < TimeSpan.Zero || options.TrimInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"{path.Key("TrimInterval")} must be from 00:00:00 to 1.00:00:00, but was {options.TrimInterval}.");
        }

        if (options.WarmPollInterval < TimeSpan.Zero || options.WarmPollInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"{path.Key("WarmPollInterval")} must be from 00:00:00 to 1.00:00:00, but was {options.WarmPollInterval}.");
        }

        if (options.ImageChecksPerTrim < 0)
        {
            failures.Add($"{path.Key("ImageChecksPerTrim")} must be 0 or more, but was {options.ImageChecksPerTrim}.");
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
            for (int i = 0; i < own.WarmImages.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(own.WarmImages[i]))
                {
                    failures.Add($"{key}:WarmImages:{i} must be an image id, but was blank.");
                }
            }
            if (own.MaxIdle < TimeSpan.Zero)
            {
                failures.Add($"{key}:MaxIdle must be 0 (never) or more, but was {own.MaxIdle}.");
            }

            if (own.IncludeInClusterOnStart && string.IsNullOrWhiteSpace(own.Cluster))
            {
                failures.Add($"{key}:IncludeInClusterOnStart is true, but {key}:Cluster is not set: a backend is included in the cluster it names.");
            }

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

    private void ValidateConversion(DiskImageConversionOptions conversion, List<string> failures)
    {
        if (conversion.ScratchDirectory is { } scratch && (string.IsNullOrWhiteSpace(scratch) || !Path.IsPathFullyQualified(scratch)))
        {
            failures.Add($"{path.Key("Conversion:ScratchDirectory")} must be an absolute path, but was '{scratch}'.");
        }

        if (string.IsNullOrWhiteSpace(conversion.QemuImgPath))
        {
            failures.Add($"{path.Key("Conversion:QemuImgPath")} must name the qemu-img program, but was empty.");
        }

        if (conversion.AddressSpaceLimitMb is < 16 or > 1048576)
        {
            failures.Add($"{path.Key("Conversion:AddressSpaceLimitMb")} must be from 16 to 1048576, but was {conversion.AddressSpaceLimitMb}.");
        }

        if (conversion.CpuTimeLimit < TimeSpan.FromSeconds(1) || conversion.CpuTimeLimit > TimeSpan.FromDays(1))
        {
            failures.Add($"{path.Key("Conversion:CpuTimeLimit")} must be from 00:00:01 to 1.00:00:00, but was {conversion.CpuTimeLimit}.");
        }

        if (conversion.RateLimitBytesPerSecond < 0)
        {
            failures.Add($"{path.Key("Conversion:RateLimitBytesPerSecond")} must be 0 (no limit) or more, but was {conversion.RateLimitBytesPerSecond}.");
        }
    }

    private void ValidateStallTimeout(TimeSpan timeout, List<string> failures)
    {
        string key = path.Key("DownloadStallTimeout");
        if (timeout <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be more than zero, but was {timeout}.");
        }
        else if (timeout < MinDownloadStallTimeout || timeout > MaxDownloadStallTimeout)
        {
            failures.Add($"{key} must be from {MinDownloadStallTimeout} to {MaxDownloadStallTimeout} (the longest a timer waits), but was {timeout}.");
        }
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
