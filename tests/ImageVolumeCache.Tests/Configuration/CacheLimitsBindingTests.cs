using ImageVolumeCache.Configuration;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Tests.Configuration;

/// <summary>How options bound from configuration turn into the limits in force for a backend.</summary>
public sealed class CacheLimitsBindingTests
{
    private const string Backend = "host1@lvm";

    [Test]
    public void Backend_values_override_the_defaults()
    {
        ImageVolumeCacheOptions options = Bind(new()
        {
            ["ImageVolumeCache:Defaults:Enabled"] = "true",
            ["ImageVolumeCache:Defaults:MaxSizeGb"] = "10",
            ["ImageVolumeCache:Defaults:MaxCount"] = "5",
            [$"ImageVolumeCache:Backends:{Backend}:Enabled"] = "false",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "200",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "50",
        });

        CacheLimits limits = CacheLimits.For(options, Backend);

        Assert.That(limits, Is.EqualTo(new CacheLimits(Enabled: false, MaxSizeGb: 200, MaxCount: 50)));
    }

    [Test]
    public void Unset_backend_values_fall_back_to_the_defaults()
    {
        ImageVolumeCacheOptions options = Bind(new()
        {
            ["ImageVolumeCache:Defaults:Enabled"] = "false",
            ["ImageVolumeCache:Defaults:MaxSizeGb"] = "10",
            ["ImageVolumeCache:Defaults:MaxCount"] = "5",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "50",
        });

        CacheLimits limits = CacheLimits.For(options, Backend);

        Assert.That(limits, Is.EqualTo(new CacheLimits(Enabled: false, MaxSizeGb: 10, MaxCount: 50)));
    }

    [Test]
    public void Backend_missing_from_configuration_gets_the_defaults()
    {
        ImageVolumeCacheOptions options = Bind(new()
        {
            ["ImageVolumeCache:Defaults:MaxSizeGb"] = "10",
            ["ImageVolumeCache:Defaults:MaxCount"] = "5",
        });

        CacheLimits limits = CacheLimits.For(options, Backend);

        Assert.That(limits, Is.EqualTo(new CacheLimits(Enabled: true, MaxSizeGb: 10, MaxCount: 5)));
    }

    [Test]
    public void Backend_zero_overrides_a_nonzero_default_and_means_unlimited()
    {
        ImageVolumeCacheOptions options = Bind(new()
        {
            ["ImageVolumeCache:Defaults:MaxSizeGb"] = "10",
            ["ImageVolumeCache:Defaults:MaxCount"] = "5",
            [$"ImageVolumeCache:Backends:{Backend}:MaxSizeGb"] = "0",
            [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "0",
        });

        CacheLimits limits = CacheLimits.For(options, Backend);

        Assert.That(limits.Unlimited, Is.True);
    }

    [Test]
    public void Zero_limits_let_any_entry_fit_however_full_the_scope()
    {
        var limits = new CacheLimits(Enabled: true, MaxSizeGb: 0, MaxCount: 0);

        bool fits = limits.Fits(new CacheScopeTotals(Count: 1_000_000, SizeGb: 1_000_000), newEntrySizeGb: 1_000);

        Assert.That(fits, Is.True);
    }

    [Test]
    public void Zero_max_count_with_a_size_limit_is_limited_only_by_size()
    {
        var limits = new CacheLimits(Enabled: true, MaxSizeGb: 10, MaxCount: 0);

        Assert.That(limits.Fits(new CacheScopeTotals(Count: 1_000, SizeGb: 5), newEntrySizeGb: 5), Is.True);
        Assert.That(limits.Fits(new CacheScopeTotals(Count: 1, SizeGb: 6), newEntrySizeGb: 5), Is.False);
    }

    [Test]
    public void Backend_names_with_an_at_sign_bind_as_dictionary_keys()
    {
        ImageVolumeCacheOptions options = Bind(new()
        {
            ["ImageVolumeCache:Backends:host1@lvm:MaxCount"] = "7",
            ["ImageVolumeCache:Backends:host2@lvm-2:MaxSizeGb"] = "9",
        });

        Assert.That(options.Backends.Keys, Is.EquivalentTo(new[] { "host1@lvm", "host2@lvm-2" }));
        Assert.That(options.Backends["host1@lvm"].MaxCount, Is.EqualTo(7));
        Assert.That(options.Backends["host2@lvm-2"].MaxSizeGb, Is.EqualTo(9));
    }

    [Test]
    public void Allowed_direct_url_schemes_bind_in_order()
    {
        ImageVolumeCacheOptions options = Bind(new()
        {
            ["ImageVolumeCache:AllowedDirectUrlSchemes:0"] = "cinder",
            ["ImageVolumeCache:AllowedDirectUrlSchemes:1"] = "rbd",
        });

        Assert.That(options.AllowedDirectUrlSchemes, Is.EqualTo(new[] { "cinder", "rbd" }));
    }

    [Test]
    public void Changed_configuration_is_bound_again_after_a_reload()
    {
        (ServiceProvider provider, IConfigurationRoot configuration, IOptionsMonitor<ImageVolumeCacheOptions> monitor) =
            ConfigurationTestHost.BuildReloadable(new() { [$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "5" });
        using ServiceProvider _ = provider;

        configuration[$"ImageVolumeCache:Backends:{Backend}:MaxCount"] = "9";
        configuration.Reload();

        Assert.That(CacheLimits.For(monitor.CurrentValue, Backend).MaxCount, Is.EqualTo(9));
    }

    private static ImageVolumeCacheOptions Bind(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(configuration.GetSection("ImageVolumeCache"))
            .AddBackend("host1@lvm", _ => new InMemoryVolumeDriver())
            .AddBackend("host2@lvm-2", _ => new InMemoryVolumeDriver());
        using ServiceProvider provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ImageVolumeCacheOptions>>().Value;
    }
}
