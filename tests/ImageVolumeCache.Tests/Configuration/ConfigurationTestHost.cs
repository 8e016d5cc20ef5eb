using ImageVolumeCache.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Tests.Configuration;

/// <summary>Builds a container from in-memory settings the way a host does, to check what start-up makes of them.</summary>
internal static class ConfigurationTestHost
{
    public const string Backend = "host1@lvm";

    /// <summary>Registers the cache from the section at <paramref name="sectionPath"/>, with a driver for each backend named.</summary>
    public static ServiceProvider Build(
        Dictionary<string, string?> settings,
        string sectionPath = "ImageVolumeCache",
        FakeLogCollector? logs = null,
        params string[] backends)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (logs is not null)
            {
                logging.AddProvider(new FakeLoggerProvider(logs));
            }
        });
        IImageVolumeCacheBuilder builder = services.AddImageVolumeCache(configuration.GetSection(sectionPath))
            .UseImageService(_ => new InMemoryImageService());
        foreach (string backend in backends.Length == 0 ? [Backend] : backends)
        {
            builder.AddBackend(backend, _ => new InMemoryVolumeDriver());
        }

        return services.BuildServiceProvider();
    }

    /// <summary>Registers the cache from the whole configuration, as a host that binds its root does, with no backends.</summary>
    public static ServiceProvider BuildFromWholeConfiguration(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddImageVolumeCache(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>The message of the <see cref="OptionsValidationException"/> that start-up fails with when the whole configuration is bound.</summary>
    public static string WholeConfigurationStartupFailure(Dictionary<string, string?> settings)
    {
        using ServiceProvider provider = BuildFromWholeConfiguration(settings);

        OptionsValidationException? failure = Assert.Throws<OptionsValidationException>(provider.GetRequiredService<IStartupValidator>().Validate);
        return failure!.Message;
    }

    /// <summary>Registers the cache from a section whose settings a test changes and reloads; the options are read once already.</summary>
    public static (ServiceProvider Provider, IConfigurationRoot Configuration, IOptionsMonitor<ImageVolumeCacheOptions> Monitor) BuildReloadable(
        Dictionary<string, string?> settings)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddImageVolumeCache(configuration.GetSection("ImageVolumeCache")).AddBackend(Backend, _ => new InMemoryVolumeDriver());
        ServiceProvider provider = services.BuildServiceProvider();
        IOptionsMonitor<ImageVolumeCacheOptions> monitor = provider.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>();
        _ = monitor.CurrentValue;
        return (provider, configuration, monitor);
    }

    /// <summary>The message of the <see cref="OptionsValidationException"/> that start-up fails with.</summary>
    public static string StartupFailure(Dictionary<string, string?> settings, string sectionPath = "ImageVolumeCache", params string[] backends)
    {
        using ServiceProvider services = Build(settings, sectionPath, logs: null, backends);
        IStartupValidator validator = services.GetRequiredService<IStartupValidator>();

        OptionsValidationException? failure = Assert.Throws<OptionsValidationException>(validator.Validate);
        return failure!.Message;
    }
}
