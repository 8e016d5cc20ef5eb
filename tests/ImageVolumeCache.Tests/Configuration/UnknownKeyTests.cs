using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using static ImageVolumeCache.Tests.Configuration.ConfigurationTestHost;

namespace ImageVolumeCache.Tests.Configuration;

/// <summary>
/// A key of the cache's section that no option reads (a misspelling, a key in the wrong place) stops start-up, or with
/// <c>UnknownKeys</c> set to <c>Warn</c> is logged; keys outside the section are the host's business.
/// </summary>
public sealed class UnknownKeyTests
{
    private const int UnknownKeyEventId = 1050;

    [Test]
    public void Misspelled_backend_key_stops_start_up_naming_the_key_and_the_known_ones()
    {
        string message = StartupFailure(new() { [$"ImageVolumeCache:Backends:{Backend}:MaxCont"] = "50" });

        Assert.That(message, Is.EqualTo(
            "ImageVolumeCache:Backends:host1@lvm:MaxCont is not a known key (known here: CloneAcrossPools, Cluster, Enabled, IncludeInClusterOnStart, MaxCount, MaxIdle, MaxSizeGb, PurgeWhenDisabled, WarmImages); " +
            "to only warn of unknown keys, set ImageVolumeCache:UnknownKeys to Warn."));
    }

    [Test]
    public void Misspelled_internal_tenant_section_stops_start_up()
    {
        string message = StartupFailure(new()
        {
            ["ImageVolumeCache:InternalTennant:ProjectId"] = "internal-project",
            ["ImageVolumeCache:InternalTennant:UserId"] = "internal-user",
        });

        Assert.That(message, Does.StartWith("ImageVolumeCache:InternalTennant is not a known key (known here: AllowedDirectUrlSchemes, Backends, Conversion, Defaults, "));
    }

    [Test]
    public void Top_level_backend_section_is_reported_once_by_its_own_key()
    {
        string message = StartupFailure(new()
        {
            [$"ImageVolumeCache:Backend:{Backend}:MaxCount"] = "50",
            [$"ImageVolumeCache:Backend:{Backend}:MaxSizeGb"] = "200",
        });

        Assert.That(message, Does.StartWith("ImageVolumeCache:Backend is not a known key"));
        Assert.That(message, Does.Not.Contain("ImageVolumeCache:Backend:"));
    }

    [TestCase("ImageVolumeCache:Defaults:MaxSize", "ImageVolumeCache:Defaults:MaxSize is not a known key (known here: Enabled, MaxCount, MaxIdle, MaxSizeGb, PurgeWhenDisabled)")]
    [TestCase("ImageVolumeCache:InternalTenant:IsConfigured", "ImageVolumeCache:InternalTenant:IsConfigured is not a known key (known here: ProjectId, UserId)")]
    public void Key_no_option_reads_stops_start_up_naming_the_keys_known_next_to_it(string key, string expected)
    {
        string message = StartupFailure(new() { [key] = "100" });

        Assert.That(message, Does.StartWith(expected));
    }

    [Test]
    public void Unknown_keys_and_bad_values_are_reported_together()
    {
        string message = StartupFailure(new()
        {
            [$"ImageVolumeCache:Backends:{Backend}:MaxCont"] = "50",
            ["ImageVolumeCache:InternalTennant:ProjectId"] = "internal-project",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "lots",
        });

        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host1@lvm:MaxCont is not a known key"));
        Assert.That(message, Does.Contain("ImageVolumeCache:InternalTennant is not a known key"));
        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host1@lvm:MaxSizeGb must be a whole number"));
    }

    [Test]
    public void Keys_match_options_without_regard_to_case()
    {
        using ServiceProvider services = Build(new()
        {
            ["ImageVolumeCache:defaults:maxcount"] = "5",
            [$"ImageVolumeCache:BACKENDS:{Backend}:maxSizeGB"] = "20",
            ["ImageVolumeCache:unknownkeys"] = "warn",
        });

        Assert.That(services.GetRequiredService<IStartupValidator>().Validate, Throws.Nothing);
    }

    [Test]
    public void Keys_of_the_hosts_other_sections_are_not_checked()
    {
        using ServiceProvider services = Build(new()
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["ImageVolumeCacheExtras:Anything"] = "1",
            ["ImageVolumeCache:Defaults:MaxCount"] = "5",
        });

        Assert.That(services.GetRequiredService<IStartupValidator>().Validate, Throws.Nothing);
    }

    [Test]
    public void Binding_the_whole_configuration_leaves_its_top_level_keys_to_the_host()
    {
        using ServiceProvider provider = BuildFromWholeConfiguration(new() { ["Logging:LogLevel:Default"] = "Information", ["Defaults:MaxCount"] = "5" });

        Assert.That(provider.GetRequiredService<IStartupValidator>().Validate, Throws.Nothing);
    }

    [Test]
    public void Binding_the_whole_configuration_still_checks_keys_inside_the_caches_sections()
    {
        string message = WholeConfigurationStartupFailure(new() { ["Defaults:MaxCont"] = "5" });

        Assert.That(message, Does.StartWith("Defaults:MaxCont is not a known key"));
    }

    [Test]
    public void Warn_mode_starts_and_logs_a_warning_naming_each_unknown_key()
    {
        var logs = new FakeLogCollector();
        using ServiceProvider services = Build(
            new()
            {
                ["ImageVolumeCache:UnknownKeys"] = "Warn",
                [$"ImageVolumeCache:Backends:{Backend}:MaxCont"] = "50",
                ["ImageVolumeCache:InternalTennant:ProjectId"] = "internal-project",
            },
            logs: logs);

        Assert.That(services.GetRequiredService<IStartupValidator>().Validate, Throws.Nothing);
        FakeLogRecord[] warnings = logs.GetSnapshot().Where(r => r.Id.Id == UnknownKeyEventId).ToArray();
        Assert.That(warnings.Select(w => w.Level), Is.All.EqualTo(LogLevel.Warning));
        Assert.That(warnings.Select(w => w.Message), Is.EquivalentTo(new[]
        {
            "Configuration key ImageVolumeCache:Backends:host1@lvm:MaxCont is not a known key of the image-volume cache (known here: CloneAcrossPools, Cluster, Enabled, IncludeInClusterOnStart, MaxCount, MaxIdle, MaxSizeGb, PurgeWhenDisabled, WarmImages); it is ignored.",
            "Configuration key ImageVolumeCache:InternalTennant is not a known key of the image-volume cache (known here: AllowedDirectUrlSchemes, Backends, Conversion, Defaults, DownloadRetries, DownloadStallTimeout, FillLeaseDuration, FillLeaseWaitTimeout, ImageChecksPerTrim, InternalTenant, PinLinger, ReconcileOnStartup, TrimInterval, UnknownKeys, WarmPollInterval); it is ignored.",
        }));
    }

    [Test]
    public void Warn_mode_binds_the_known_keys_next_to_an_unknown_one()
    {
        using ServiceProvider services = Build(new()
        {
            ["ImageVolumeCache:UnknownKeys"] = "Warn",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCont"] = "50",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "7",
        });

        ImageVolumeCacheOptions options = services.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>().CurrentValue;

        Assert.That(options.Backends[Backend].MaxCount, Is.EqualTo(7));
    }

    [Test]
    public void Warn_mode_still_stops_start_up_on_a_value_that_cannot_be_read()
    {
        string message = StartupFailure(new()
        {
            ["ImageVolumeCache:UnknownKeys"] = "Warn",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "lots",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCont"] = "50",
        });

        Assert.That(message, Is.EqualTo(
            "ImageVolumeCache:Backends:host1@lvm:MaxSizeGb must be a whole number from -2147483648 to 2147483647, but was 'lots'."));
    }

    [TestCase("Ignore", "ImageVolumeCache:UnknownKeys must be one of Error, Warn, but was 'Ignore'.")]
    [TestCase("7", "ImageVolumeCache:UnknownKeys must be Error or Warn, but was 7.")]
    public void Unknown_keys_switch_outside_its_modes_names_the_key_and_value(string value, string expected)
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:UnknownKeys"] = value });

        Assert.That(message, Is.EqualTo(expected));
    }

    [Test]
    public void Options_set_in_code_are_validated_without_a_key_check()
    {
        var services = new ServiceCollection();
        services.AddImageVolumeCache(options => options.Defaults.MaxCount = 3);
        using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.That(provider.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>().CurrentValue.Defaults.MaxCount, Is.EqualTo(3));
    }
}
