using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ImageVolumeCache.Tests.Configuration.ConfigurationTestHost;

namespace ImageVolumeCache.Tests.Configuration;

/// <summary>
/// Pins each start-up validation message: bad configuration fails <see cref="IStartupValidator"/> with an
/// <see cref="OptionsValidationException"/> that names the full configuration key.
/// </summary>
public sealed class OptionsValidationTests
{
    private const string Backend = ConfigurationTestHost.Backend;

    [Test]
    public void Valid_configuration_passes_start_up_validation()
    {
        using ServiceProvider services = Build(new()
        {
            ["ImageVolumeCache:InternalTenant:ProjectId"] = "internal-project",
            ["ImageVolumeCache:InternalTenant:UserId"] = "internal-user",
            ["ImageVolumeCache:Defaults:MaxSizeGb"] = "100",
            ["ImageVolumeCache:Defaults:MaxCount"] = "0",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "50",
            ["ImageVolumeCache:AllowedDirectUrlSchemes:0"] = "cinder",
        });

        Assert.That(() => services.GetRequiredService<IStartupValidator>().Validate(), Throws.Nothing);
    }

    [Test]
    public void Negative_default_max_size_names_the_key()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:Defaults:MaxSizeGb"] = "-1" });

        Assert.That(message, Does.Contain("ImageVolumeCache:Defaults:MaxSizeGb must be 0 (unlimited) or more, but was -1."));
    }

    [TestCase("ScratchDirectory", "relative/scratch", "ImageVolumeCache:Conversion:ScratchDirectory must be an absolute path, but was 'relative/scratch'.")]
    [TestCase("QemuImgPath", " ", "ImageVolumeCache:Conversion:QemuImgPath must name the qemu-img program, but was empty.")]
    [TestCase("AddressSpaceLimitMb", "8", "ImageVolumeCache:Conversion:AddressSpaceLimitMb must be from 16 to 1048576, but was 8.")]
    [TestCase("CpuTimeLimit", "00:00:00.5", "ImageVolumeCache:Conversion:CpuTimeLimit must be from 00:00:01 to 1.00:00:00, but was 00:00:00.5000000.")]
    [TestCase("RateLimitBytesPerSecond", "-1", "ImageVolumeCache:Conversion:RateLimitBytesPerSecond must be 0 (no limit) or more, but was -1.")]
    public void A_bad_conversion_option_names_its_key(string key, string value, string expected)
    {
        string message = StartupFailure(new() { [$"ImageVolumeCache:Conversion:{key}"] = value });

        Assert.That(message, Does.Contain(expected));
    }

    [TestCase("PinLinger", "-00:00:01", "ImageVolumeCache:PinLinger must be from 00:00:00 to 00:01:00, but was -00:00:01.")]
    [TestCase("PinLinger", "00:01:01", "ImageVolumeCache:PinLinger must be from 00:00:00 to 00:01:00, but was 00:01:01.")]
    [TestCase("TrimInterval", "-00:00:01", "ImageVolumeCache:TrimInterval must be from 00:00:00 to 1.00:00:00, but was -00:00:01.")]
    [TestCase("ImageChecksPerTrim", "-1", "ImageVolumeCache:ImageChecksPerTrim must be 0 or more, but was -1.")]
    [TestCase("WarmPollInterval", "1.00:00:01", "ImageVolumeCache:WarmPollInterval must be from 00:00:00 to 1.00:00:00, but was 1.00:00:01.")]
    [TestCase("Defaults:MaxIdle", "-1.00:00:00", "ImageVolumeCache:Defaults:MaxIdle must be 0 (never) or more, but was -1.00:00:00.")]
    public void A_bad_trim_option_names_its_key(string key, string value, string expected)
    {
        string message = StartupFailure(new() { [$"ImageVolumeCache:{key}"] = value });

        Assert.That(message, Does.Contain(expected));
    }

    [Test]
    public void A_blank_warm_image_names_its_key()
    {
        string message = StartupFailure(new()
        {
            [$"ImageVolumeCache:Backends:{Backend}:WarmImages:0"] = "img",
            [$"ImageVolumeCache:Backends:{Backend}:WarmImages:1"] = " ",
        });

        Assert.That(message, Does.Contain($"ImageVolumeCache:Backends:{Backend}:WarmImages:1 must be an image id, but was blank."));
    }

    [Test]
    public void A_negative_backend_max_idle_names_the_key()
    {
        string message = StartupFailure(new() { [$"ImageVolumeCache:Backends:{Backend}:MaxIdle"] = "-00:05:00" });

        Assert.That(message, Does.Contain($"ImageVolumeCache:Backends:{Backend}:MaxIdle must be 0 (never) or more, but was -00:05:00."));
    }

    [Test]
    public void Conversion_options_default_to_cinders_limits_and_no_scratch_folder_of_their_own()
    {
        var options = new ImageVolumeCacheOptions();

        Assert.That(
            (options.Conversion.ScratchDirectory, options.Conversion.QemuImgPath, options.Conversion.AddressSpaceLimitMb, options.Conversion.CpuTimeLimit, options.Conversion.RateLimitBytesPerSecond),
            Is.EqualTo(((string?)null, "qemu-img", 1024, TimeSpan.FromMinutes(10), 0L)));
    }

    [Test]
    public void Negative_default_max_count_names_the_key()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:Defaults:MaxCount"] = "-5" });

        Assert.That(message, Does.Contain("ImageVolumeCache:Defaults:MaxCount must be 0 (unlimited) or more, but was -5."));
    }

    [Test]
    public void Negative_backend_max_count_names_the_key()
    {
        string message = StartupFailure(new() { [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "-1" });

        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host1@lvm:MaxCount must be 0 (unlimited) or more, but was -1."));
    }

    [Test]
    public void IncludeInClusterOnStart_without_a_cluster_names_both_keys()
    {
        string message = StartupFailure(new() { [$"ImageVolumeCache:Backends:{Backend}:IncludeInClusterOnStart"] = "true" });

        Assert.That(message, Does.Contain(
            "ImageVolumeCache:Backends:host1@lvm:IncludeInClusterOnStart is true, but ImageVolumeCache:Backends:host1@lvm:Cluster is not set: a backend is included in the cluster it names."));
    }

    [Test]
    public void IncludeInClusterOnStart_with_a_cluster_and_CloneAcrossPools_pass_start_up_validation()
    {
        using ServiceProvider services = Build(new()
        {
            [$"ImageVolumeCache:Backends:{Backend}:Cluster"] = "cluster1@lvm",
            [$"ImageVolumeCache:Backends:{Backend}:IncludeInClusterOnStart"] = "true",
            [$"ImageVolumeCache:Backends:{Backend}:CloneAcrossPools"] = "true",
        });

        Assert.That(() => services.GetRequiredService<IStartupValidator>().Validate(), Throws.Nothing);
        Assert.That(
            services.GetRequiredService<IOptions<ImageVolumeCacheOptions>>().Value.Backends[Backend],
            Has.Property(nameof(BackendCacheOptions.IncludeInClusterOnStart)).True.And.Property(nameof(BackendCacheOptions.CloneAcrossPools)).True);
    }

    [Test]
    public void Negative_backend_max_size_names_the_key()
    {
        string message = StartupFailure(new() { [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "-20" });

        Assert.That(message, Does.Contain("ImageVolumeCache:Backends:host1@lvm:MaxSizeGb must be 0 (unlimited) or more, but was -20."));
    }

    [Test]
    public void Internal_tenant_project_without_user_names_the_user_key()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:InternalTenant:ProjectId"] = "internal-project" });

        Assert.That(message, Does.Contain(
            "ImageVolumeCache:InternalTenant:UserId is required when ImageVolumeCache:InternalTenant:ProjectId is set (set both, or neither to turn the cache off)."));
    }

    [Test]
    public void Internal_tenant_user_without_project_names_the_project_key()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:InternalTenant:UserId"] = "internal-user" });

        Assert.That(message, Does.Contain(
            "ImageVolumeCache:InternalTenant:ProjectId is required when ImageVolumeCache:InternalTenant:UserId is set (set both, or neither to turn the cache off)."));
    }

    [Test]
    public void Configured_backend_without_a_driver_names_the_key_and_the_registered_backends()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:Backends:host2@nfs:Enabled"] = "false" });

        Assert.That(message, Does.Contain(
            "ImageVolumeCache:Backends:host2@nfs is configured but no driver is registered for backend 'host2@nfs' (registered: host1@lvm). Call AddBackend(\"host2@nfs\", ...)."));
    }

    [Test]
    public void Empty_allowed_direct_url_scheme_names_the_key_with_its_index()
    {
        string message = StartupFailure(new()
        {
            ["ImageVolumeCache:AllowedDirectUrlSchemes:0"] = "cinder",
            ["ImageVolumeCache:AllowedDirectUrlSchemes:1"] = string.Empty,
        });

        Assert.That(message, Does.Contain("ImageVolumeCache:AllowedDirectUrlSchemes:1 is empty."));
    }

    [Test]
    public void Zero_download_stall_timeout_names_the_key()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:DownloadStallTimeout"] = "00:00:00" });

        Assert.That(message, Does.Contain("ImageVolumeCache:DownloadStallTimeout must be more than zero, but was 00:00:00."));
    }

    [TestCase("50.00:00:00", "50.00:00:00")]
    [TestCase("00:00:00.0005", "00:00:00.0005000")]
    public void Download_stall_timeout_a_timer_cannot_wait_names_the_key_and_the_range(string value, string shown)
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:DownloadStallTimeout"] = value });

        Assert.That(message, Does.Contain(
            $"ImageVolumeCache:DownloadStallTimeout must be from 00:00:00.0010000 to 49.17:02:47.2940000 (the longest a timer waits), but was {shown}."));
    }

    [Test]
    public void Longest_download_stall_timeout_allowed_is_the_longest_a_system_timer_accepts()
    {
        var longest = TimeSpan.Parse("49.17:02:47.294", System.Globalization.CultureInfo.InvariantCulture);
        using ServiceProvider services = Build(new() { ["ImageVolumeCache:DownloadStallTimeout"] = "49.17:02:47.294" });

        Assert.That(services.GetRequiredService<IStartupValidator>().Validate, Throws.Nothing);
        Assert.That(() => TimeProvider.System.CreateTimer(_ => { }, null, longest, Timeout.InfiniteTimeSpan).Dispose(), Throws.Nothing);
        Assert.That(
            () => TimeProvider.System.CreateTimer(_ => { }, null, longest + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Negative_download_retries_names_the_key()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:DownloadRetries"] = "-1" });

        Assert.That(message, Does.Contain("ImageVolumeCache:DownloadRetries must be 0 or more, but was -1."));
    }

    [Test]
    public void Download_stall_timeout_and_retries_default_to_sixty_seconds_and_two()
    {
        var options = new ImageVolumeCacheOptions();

        Assert.That((options.DownloadStallTimeout, options.DownloadRetries), Is.EqualTo((TimeSpan.FromSeconds(60), 2)));
    }

    [Test]
    public void Backend_with_an_empty_name_names_the_backends_key()
    {
        string message = StartupFailure(new() { ["ImageVolumeCache:Backends::MaxCount"] = "3" });

        Assert.That(message, Does.Contain("ImageVolumeCache:Backends has a backend with an empty name."));
    }

    [Test]
    public void Messages_name_keys_under_the_path_of_the_section_bound()
    {
        string message = StartupFailure(new() { ["Storage:ImageCache:Defaults:MaxCount"] = "-1" }, sectionPath: "Storage:ImageCache");

        Assert.That(message, Does.Contain("Storage:ImageCache:Defaults:MaxCount must be 0 (unlimited) or more, but was -1."));
        Assert.That(message, Does.Not.Contain("ImageVolumeCache:"));
    }

    [Test]
    public void Messages_name_root_keys_when_the_whole_configuration_is_bound()
    {
        string message = WholeConfigurationStartupFailure(new() { ["Defaults:MaxCount"] = "-1" });

        Assert.That(message, Does.StartWith("Defaults:MaxCount must be 0 (unlimited) or more, but was -1."));
    }

    [Test]
    public void Every_failure_is_reported_at_once()
    {
        string message = StartupFailure(new()
        {
            ["ImageVolumeCache:Defaults:MaxCount"] = "-1",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "-1",
        });

        Assert.That(message, Does.Contain("ImageVolumeCache:Defaults:MaxCount").And.Contain("ImageVolumeCache:Backends:host1@lvm:MaxSizeGb"));
    }

    [Test]
    public void Bad_configuration_fails_the_first_use_of_the_options_too()
    {
        using ServiceProvider services = Build(new() { ["ImageVolumeCache:Defaults:MaxCount"] = "-1" });

        Assert.That(
            () => services.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>().CurrentValue,
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("ImageVolumeCache:Defaults:MaxCount"));
    }
}
