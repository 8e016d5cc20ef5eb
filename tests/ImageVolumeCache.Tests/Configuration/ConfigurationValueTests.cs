using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ImageVolumeCache.Tests.Configuration.ConfigurationTestHost;

namespace ImageVolumeCache.Tests.Configuration;

/// <summary>
/// A value that cannot be read as its option's type stops start-up with the other problems, in one
/// <see cref="OptionsValidationException"/> naming each key and its value; nothing is silently dropped.
/// </summary>
public sealed class ConfigurationValueTests
{
    private const string OtherBackend = "host2@nfs";

    [Test]
    public void Wrong_typed_backend_limit_next_to_enabled_false_stops_start_up_with_the_key_and_value()
    {
        string message = StartupFailure(new()
        {
            [$"ImageVolumeCache:Backends:{Backend}:Enabled"] = "false",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "lots",
        });

        Assert.That(message, Is.EqualTo(
            "ImageVolumeCache:Backends:host1@lvm:MaxSizeGb must be a whole number from -2147483648 to 2147483647, but was 'lots'."));
    }

    [Test]
    public void Wrong_typed_backend_limit_fails_the_first_use_of_the_options_too()
    {
        using ServiceProvider services = Build(new()
        {
            [$"ImageVolumeCache:Backends:{Backend}:Enabled"] = "false",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "lots",
        });

        Assert.That(
            () => services.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>().CurrentValue,
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("ImageVolumeCache:Backends:host1@lvm:MaxSizeGb"));
    }

    [Test]
    public void Bad_values_in_two_backends_are_reported_together_with_their_values()
    {
        string message = StartupFailure(
            new()
            {
                [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "lots",
                [$"ImageVolumeCache:Backends:{OtherBackend}:Enabled"] = "nope",
            },
            backends: [Backend, OtherBackend]);

        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host1@lvm:MaxSizeGb must be a whole number from -2147483648 to 2147483647, but was 'lots'."));
        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host2@nfs:Enabled must be true or false, but was 'nope'."));
    }

    [TestCase("ImageVolumeCache:Defaults:MaxCount", "ten",
        "ImageVolumeCache:Defaults:MaxCount must be a whole number from -2147483648 to 2147483647, but was 'ten'.")]
    [TestCase("ImageVolumeCache:Defaults:MaxSizeGb", "3000000000",
        "ImageVolumeCache:Defaults:MaxSizeGb must be a whole number from -2147483648 to 2147483647, but was '3000000000'.")]
    [TestCase("ImageVolumeCache:DownloadStallTimeout", "a minute",
        "ImageVolumeCache:DownloadStallTimeout must be a duration as [d.]hh:mm:ss[.fffffff], but was 'a minute'.")]
    [TestCase("ImageVolumeCache:Backends:host1@lvm", "off",
        "ImageVolumeCache:Backends:host1@lvm must be a section of settings, but was 'off'.")]
    [TestCase("ImageVolumeCache:AllowedDirectUrlSchemes", "cinder",
        "ImageVolumeCache:AllowedDirectUrlSchemes must be a list, with one key per item (0, 1, ...), but was 'cinder'.")]
    public void Value_that_cannot_be_read_stops_start_up_with_an_options_validation_exception_naming_key_and_value(string key, string value, string expected)
    {
        string message = StartupFailure(new() { [key] = value });

        Assert.That(message, Is.EqualTo(expected));
    }

    [Test]
    public void Unreadable_values_are_reported_with_every_other_problem()
    {
        string message = StartupFailure(new()
        {
            ["ImageVolumeCache:Defaults:MaxCount"] = "ten",
            ["ImageVolumeCache:ReconcileOnStartup"] = "yes",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "lots",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "-1",
            ["ImageVolumeCache:DownloadRetries"] = "-1",
        });

        Assert.That(message, Does.Contain("ImageVolumeCache:Defaults:MaxCount must be a whole number"));
        Assert.That(message, Does.Contain("ImageVolumeCache:ReconcileOnStartup must be true or false, but was 'yes'."));
        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host1@lvm:MaxSizeGb must be a whole number"));
        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host1@lvm:MaxCount must be 0 (unlimited) or more, but was -1."));
        Assert.That(message, Does.Contain("ImageVolumeCache:DownloadRetries must be 0 or more, but was -1."));
    }

    [Test]
    public void Section_where_a_single_value_is_expected_names_the_key_and_the_keys_below_it()
    {
        string message = StartupFailure(new()
        {
            ["ImageVolumeCache:InternalTenant:ProjectId:Name"] = "internal-project",
            ["ImageVolumeCache:InternalTenant:UserId"] = "internal-user",
        });

        Assert.That(message, Does.Contain("ImageVolumeCache:InternalTenant:ProjectId must be a single value, but has keys below it: Name."));
    }

    [Test]
    public void Bad_value_brought_by_a_reload_fails_the_next_read_of_the_options()
    {
        (ServiceProvider provider, IConfigurationRoot configuration, IOptionsMonitor<ImageVolumeCacheOptions> monitor) =
            BuildReloadable(new() { ["ImageVolumeCache:Defaults:MaxCount"] = "5" });
        using ServiceProvider _ = provider;

        configuration["ImageVolumeCache:Defaults:MaxCount"] = "ten";

        // The monitor reads the options again inside the reload, so the reload itself reports the failure as well.
        Assert.That(configuration.Reload, Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<OptionsValidationException>());
        Assert.That(
            () => monitor.CurrentValue,
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("ImageVolumeCache:Defaults:MaxCount must be a whole number"));
    }

    [Test]
    public void Empty_backend_value_leaves_the_setting_unset()
    {
        using ServiceProvider services = Build(new()
        {
            ["ImageVolumeCache:Defaults:MaxSizeGb"] = "10",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = string.Empty,
            [$"ImageVolumeCache:Backends:{Backend}:Enabled"] = "false",
        });

        BackendCacheOptions own = services.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>().CurrentValue.Backends[Backend];

        Assert.That((own.Enabled, own.MaxSizeGb), Is.EqualTo(((bool?)false, (int?)null)));
    }
}
