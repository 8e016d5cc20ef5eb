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

    /// <summary>The message of the <see cref="OptionsValidationException"/> that start-up fails with.</summary>
    public static string StartupFailure(Dictionary<string, string?> settings, string sectionPath = "ImageVolumeCache", params string[] backends)
    {
        using ServiceProvider services = Build(settings, sectionPath, logs: null, backends);
        IStartupValidator validator = services.GetRequiredService<IStartupValidator>();

        OptionsValidationException? failure = Assert.Throws<OptionsValidationException>(validator.Validate);
        return failure!.Message;
    }
}
