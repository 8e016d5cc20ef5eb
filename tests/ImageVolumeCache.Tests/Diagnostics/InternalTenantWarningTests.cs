using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>A missing internal tenant turns the cache off with exactly one warning per process, however it is found.</summary>
public sealed class InternalTenantWarningTests
{
    private const int CacheDisabledEventId = 1000;

    [Test]
    public async Task Missing_internal_tenant_warns_once_over_many_requests()
    {
        using var harness = new CacheHarness(internalTenant: false);
        harness.AddImage("image-a");

        for (int i = 0; i < 5; i++)
        {
            await harness.CreateAsync("image-a");
        }

        Assert.That(harness.Logs(CacheDisabledEventId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Start_up_check_warns_of_a_missing_internal_tenant_before_any_request()
    {
        using var harness = new CacheHarness(internalTenant: false);

        await StartHostedServicesAsync(harness);

        var warnings = harness.Logs(CacheDisabledEventId);
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0].Level, Is.EqualTo(LogLevel.Warning));
    }

    [Test]
    public async Task Missing_internal_tenant_warns_once_across_the_start_up_check_and_later_requests()
    {
        using var harness = new CacheHarness(internalTenant: false);
        harness.AddImage("image-a");
        await StartHostedServicesAsync(harness);

        for (int i = 0; i < 5; i++)
        {
            await harness.CreateAsync("image-a");
        }

        Assert.That(harness.Logs(CacheDisabledEventId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Missing_internal_tenant_warning_names_the_keys_under_the_configured_section()
    {
        var collector = new FakeLogCollector();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(collector)));
        services.AddImageVolumeCache(configuration.GetSection("Storage:ImageCache"));
        using ServiceProvider provider = services.BuildServiceProvider();

        await StartHostedServicesAsync(provider);

        FakeLogRecord warning = collector.GetSnapshot().Single(r => r.Id.Id == CacheDisabledEventId);
        Assert.That(warning.Message, Does.Contain("Storage:ImageCache:InternalTenant:ProjectId"));
    }

    [Test]
    public async Task Requests_without_an_internal_tenant_are_made_by_download()
    {
        using var harness = new CacheHarness(internalTenant: false);
        harness.AddImage("image-a");

        CreateVolumeFromImageResult result = await harness.CreateAsync("image-a");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.Download));
    }

    [Test]
    public async Task Configured_internal_tenant_never_warns()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await StartHostedServicesAsync(harness);

        await harness.CreateAsync("image-a");

        Assert.That(harness.Logs(CacheDisabledEventId), Is.Empty);
    }

    private static Task StartHostedServicesAsync(CacheHarness harness) => StartHostedServicesAsync(harness.Services);

    private static async Task StartHostedServicesAsync(IServiceProvider services)
    {
        IEnumerable<IHostedService> hosted = services.GetRequiredService<IEnumerable<IHostedService>>();
        Assert.That(hosted, Is.Not.Empty, "The cache registers no start-up check.");
        foreach (IHostedService service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }
}
