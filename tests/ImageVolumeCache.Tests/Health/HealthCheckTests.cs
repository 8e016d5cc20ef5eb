using ImageVolumeCache.Caching;
using ImageVolumeCache.Health;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Moq;

namespace ImageVolumeCache.Tests.Health;

/// <summary>
/// The health check: unhealthy when the entry store cannot be read; degraded without an internal tenant, when a
/// backend cannot list its volumes or a scope is over its limits; healthy otherwise, every scope's figures as data.
/// </summary>
public sealed class HealthCheckTests
{
    [Test]
    public async Task A_working_cache_is_healthy_with_each_scopes_figures_as_data()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 5);
        harness.AddImage("img");
        await harness.CreateAsync("img");
        await harness.CreateAsync("img");

        HealthCheckResult result = await CheckAsync(harness);

        Assert.That((result.Status, result.Description), Is.EqualTo((HealthStatus.Healthy, "Scopes: 1, entries: 1.")));
        var scope = (CacheScopeStatistics)result.Data[CacheHarness.Backend];
        Assert.That((scope.Entries, scope.SizeGb, scope.MaxCount, scope.Hits, scope.Misses, scope.HitRatio, scope.FillsInProgress, scope.LastFillError),
            Is.EqualTo((1, 1L, 5, 1L, 1L, (double?)0.5, 0, (CacheFillError?)null)));
    }

    [Test]
    public async Task A_store_that_cannot_be_read_makes_the_cache_unhealthy()
    {
        var store = new Mock<ICacheEntryStore>();
        store.Setup(s => s.ListAsync(It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Throws(new CacheEntryStoreException("/var/lib/cache.db", "Cannot open /var/lib/cache.db: disk I/O error."));
        using var harness = new CacheHarness(store: store.Object);

        HealthCheckResult result = await CheckAsync(harness);

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(result.Description, Does.Contain("entry store cannot be read").And.Contain("disk I/O error"));
        Assert.That(result.Exception, Is.InstanceOf<CacheEntryStoreException>());
    }

    [Test]
    public async Task A_store_that_does_not_answer_in_time_makes_the_cache_unhealthy()
    {
        var store = new Mock<ICacheEntryStore>();
        store.Setup(s => s.ListAsync(It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns(new ValueTask<IReadOnlyList<ImageCacheEntry>>(new TaskCompletionSource<IReadOnlyList<ImageCacheEntry>>().Task));
        using var harness = new CacheHarness(store: store.Object);

        Task<HealthCheckResult> check = CheckAsync(harness);
        harness.Time.Advance(ImageVolumeCacheHealthCheck.ProbeTimeout);
        HealthCheckResult result = await check;

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(result.Description, Does.Contain("entry store did not answer within 10 s"));
    }

    [Test]
    public async Task The_cache_is_degraded_when_it_is_off_for_lack_of_an_internal_tenant()
    {
        using var harness = new CacheHarness(internalTenant: false);

        HealthCheckResult result = await CheckAsync(harness);

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(result.Description, Does.Contain("no internal tenant").And.Contain("ImageVolumeCache:InternalTenant:ProjectId"));
    }

    [Test]
    public async Task The_cache_is_degraded_when_a_backend_cannot_list_its_volumes()
    {
        using var harness = new CacheHarness();
        harness.Driver.Fault = call => call.Operation == DriverOperation.List ? new IOException("array unreachable") : null;

        HealthCheckResult result = await CheckAsync(harness);

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(result.Description, Does.Contain($"Backend {CacheHarness.Backend} cannot list its volumes: IOException: array unreachable"));
        Assert.That(result.Description, Does.Not.Contain(CacheHarness.OtherBackend), "the other backend lists");
    }

    [Test]
    public async Task The_cache_is_degraded_when_a_backend_does_not_list_its_volumes_in_time()
    {
        using var harness = new CacheHarness();
        harness.Driver.Delay = (call, _) => call.Operation == DriverOperation.List ? new ValueTask(new TaskCompletionSource().Task) : ValueTask.CompletedTask;

        Task<HealthCheckResult> check = CheckAsync(harness);
        harness.Time.Advance(ImageVolumeCacheHealthCheck.ProbeTimeout);
        HealthCheckResult result = await check;

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(result.Description, Does.Contain($"Backend {CacheHarness.Backend} did not list its volumes within 10 s"));
    }

    [Test]
    public async Task The_cache_is_degraded_when_a_scope_is_over_its_limits()
    {
        using var harness = new CacheHarness();
        await harness.CacheImagesAsync("img-a", "img-b");
        harness.CurrentOptions.Defaults.MaxCount = 1;

        HealthCheckResult result = await CheckAsync(harness);

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(result.Description, Does.Contain($"Scope {CacheHarness.Backend} is over its limits: 2 entries of 1"));
        Assert.That(((CacheScopeStatistics)result.Data[CacheHarness.Backend]).OverLimits, Is.True);
    }

    [Test]
    public async Task The_cache_is_degraded_when_a_warm_image_could_not_be_brought_up_to_date()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.Backend] = new BackendCacheOptions { WarmImages = { "img" } });
        harness.AddImage("img");
        harness.Images.Fault = (operation, _) => operation == "GetImage" ? new HttpRequestException("image service down") : null;
        await harness.Services.GetServices<IHostedService>().OfType<ImageVolumeCacheWarmer>().Single().WarmEveryBackendAsync(CancellationToken.None);
        harness.Images.Fault = null;

        HealthCheckResult result = await CheckAsync(harness);

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(result.Description, Does.Contain($"Warm images of scope {CacheHarness.Backend} could not be brought up to date: img."));
    }

    [Test]
    public async Task The_check_registered_with_AddHealthChecks_runs_in_the_hosts_health_check_service()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(o =>
            {
                o.InternalTenant.ProjectId = CacheHarness.InternalProject;
                o.InternalTenant.UserId = CacheHarness.InternalUser;
            })
            .AddBackend(CacheHarness.Backend, _ => new InMemoryVolumeDriver())
            .UseImageService(_ => new InMemoryImageService());
        services.AddHealthChecks().AddImageVolumeCache(tags: ["ready"]);
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));

        Assert.That(report.Entries.Keys, Is.EqualTo(new[] { "imagevolumecache" }));
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy), report.Entries["imagevolumecache"].Description);
    }

    [Test]
    public async Task The_failure_status_given_at_registration_replaces_unhealthy()
    {
        var store = new Mock<ICacheEntryStore>();
        store.Setup(s => s.ListAsync(It.IsAny<string?>(), It.IsAny<CancellationToken>())).Throws(new CacheEntryStoreException("db", "db is down"));
        using var harness = new CacheHarness(store: store.Object);

        HealthCheckResult result = await CheckAsync(harness, HealthStatus.Degraded);

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
    }

    private static Task<HealthCheckResult> CheckAsync(CacheHarness harness, HealthStatus? failureStatus = null)
    {
        var check = ActivatorUtilities.CreateInstance<ImageVolumeCacheHealthCheck>(harness.Services);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("imagevolumecache", check, failureStatus, null) };
        return check.CheckHealthAsync(context, CancellationToken.None);
    }
}
