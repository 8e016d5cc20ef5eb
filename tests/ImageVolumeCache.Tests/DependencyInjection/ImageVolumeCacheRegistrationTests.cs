using ImageVolumeCache.Caching;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace ImageVolumeCache.Tests.DependencyInjection;

/// <summary>What <c>AddImageVolumeCache</c> and its builder register, and what a host registered first keeps.</summary>
public sealed class ImageVolumeCacheRegistrationTests
{
    private const string Backend = "host1@lvm";

    [Test]
    public void Time_provider_registered_by_the_host_before_is_kept()
    {
        var services = new ServiceCollection();
        var time = new FakeTimeProvider();
        services.AddSingleton<TimeProvider>(time);

        AddCache(services);

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(time));
    }

    [Test]
    public void Time_provider_defaults_to_the_system_clock()
    {
        var services = new ServiceCollection();

        AddCache(services);

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(TimeProvider.System));
    }

    [Test]
    public void Store_registered_by_the_host_before_is_kept()
    {
        var services = new ServiceCollection();
        ICacheEntryStore store = Mock.Of<ICacheEntryStore>();
        services.AddSingleton(store);

        AddCache(services);

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<ICacheEntryStore>(), Is.SameAs(store));
    }

    [Test]
    public void Store_defaults_to_the_in_memory_store()
    {
        var services = new ServiceCollection();

        AddCache(services);

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<ICacheEntryStore>(), Is.InstanceOf<InMemoryCacheEntryStore>());
    }

    [Test]
    public void Notifier_registered_by_the_host_before_is_kept()
    {
        var services = new ServiceCollection();
        var notifier = new RecordingNotifier();
        services.AddSingleton<IImageVolumeCacheNotifier>(notifier);

        AddCache(services);

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<IImageVolumeCacheNotifier>(), Is.SameAs(notifier));
    }

    [Test]
    public void UseStore_replaces_the_store_registered_before()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Mock.Of<ICacheEntryStore>());

        AddCache(services).UseStore<InMemoryCacheEntryStore>();

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(services.Count(d => d.ServiceType == typeof(ICacheEntryStore)), Is.EqualTo(1));
        Assert.That(provider.GetRequiredService<ICacheEntryStore>(), Is.InstanceOf<InMemoryCacheEntryStore>());
    }

    [Test]
    public void UseStore_with_a_factory_replaces_the_default_store()
    {
        var services = new ServiceCollection();
        ICacheEntryStore store = Mock.Of<ICacheEntryStore>();

        AddCache(services).UseStore(_ => store);

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<ICacheEntryStore>(), Is.SameAs(store));
    }

    [Test]
    public void UseNotifier_replaces_the_notifier_registered_before()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Mock.Of<IImageVolumeCacheNotifier>());

        AddCache(services).UseNotifier<RecordingNotifier>();

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(services.Count(d => d.ServiceType == typeof(IImageVolumeCacheNotifier)), Is.EqualTo(1));
        Assert.That(provider.GetRequiredService<IImageVolumeCacheNotifier>(), Is.InstanceOf<RecordingNotifier>());
    }

    [Test]
    public void UseImageService_replaces_the_image_service_chosen_before()
    {
        var services = new ServiceCollection();
        IImageService first = Mock.Of<IImageService>();

        AddCache(services).UseImageService(_ => first).UseImageService<InMemoryImageService>();

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(services.Count(d => d.ServiceType == typeof(IImageService)), Is.EqualTo(1));
        Assert.That(provider.GetRequiredService<IImageService>(), Is.InstanceOf<InMemoryImageService>());
    }

    [Test]
    public async Task AddBackend_with_a_driver_type_makes_the_driver_through_the_service_provider_once()
    {
        var services = new ServiceCollection();
        var constructions = new DriverConstructions();
        services.AddSingleton(constructions);
        var images = new InMemoryImageService();
        images.Add("image-a", new byte[16]);
        AddCache(services).AddBackend<DirectCloneDriver>(Backend).UseImageService(_ => images);
        using ServiceProvider provider = services.BuildServiceProvider();
        CreateFromImagePipeline pipeline = provider.GetRequiredService<CreateFromImagePipeline>();

        await pipeline.CreateAsync(CacheHarness.Request("image-a", host: Backend));
        await pipeline.CreateAsync(CacheHarness.Request("image-a", host: Backend + "#pool-b"));

        Assert.That(constructions.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AddBackend_with_a_factory_routes_requests_for_the_backend_to_its_driver()
    {
        var services = new ServiceCollection();
        var images = new InMemoryImageService();
        images.Add("image-a", new byte[16]);
        var driver = new InMemoryVolumeDriver { CanCloneImage = _ => true };
        int calls = 0;
        AddCache(services)
            .AddBackend(Backend, _ =>
            {
                calls++;
                return driver;
            })
            .UseImageService(_ => images);
        using ServiceProvider provider = services.BuildServiceProvider();
        CreateFromImagePipeline pipeline = provider.GetRequiredService<CreateFromImagePipeline>();

        CreateVolumeFromImageResult first = await pipeline.CreateAsync(CacheHarness.Request("image-a", volumeId: "vol-1", host: Backend));
        await pipeline.CreateAsync(CacheHarness.Request("image-a", volumeId: "vol-2", host: Backend));

        Assert.That(first.Path, Is.EqualTo(CreateFromImagePath.DirectClone));
        Assert.That(driver.Exists("vol-1") && driver.Exists("vol-2"), Is.True);
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public async Task Driver_made_by_the_service_provider_is_disposed_with_it()
    {
        var services = new ServiceCollection();
        var constructions = new DriverConstructions();
        services.AddSingleton(constructions);
        var images = new InMemoryImageService();
        images.Add("image-a", new byte[16]);
        AddCache(services).AddBackend<DirectCloneDriver>(Backend).UseImageService(_ => images);
        ServiceProvider provider = services.BuildServiceProvider();
        await provider.GetRequiredService<CreateFromImagePipeline>().CreateAsync(CacheHarness.Request("image-a", host: Backend));

        await provider.DisposeAsync();

        Assert.That(constructions.Disposed, Is.EqualTo(1));
    }

    [Test]
    public async Task Driver_that_is_only_async_disposable_is_disposed_when_the_provider_is_disposed_synchronously()
    {
        var services = new ServiceCollection();
        var constructions = new DriverConstructions();
        services.AddSingleton(constructions);
        var images = new InMemoryImageService();
        images.Add("image-a", new byte[16]);
        AddCache(services).AddBackend<AsyncDisposableDirectCloneDriver>(Backend).UseImageService(_ => images);
        ServiceProvider provider = services.BuildServiceProvider();
        await provider.GetRequiredService<CreateFromImagePipeline>().CreateAsync(CacheHarness.Request("image-a", host: Backend));

        provider.Dispose();

        Assert.That(constructions.Disposed, Is.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("   ")]
    public void AddBackend_rejects_an_empty_name(string name)
    {
        IImageVolumeCacheBuilder builder = AddCache(new ServiceCollection());

        Assert.That(
            () => builder.AddBackend(name, _ => new InMemoryVolumeDriver()),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("name"));
    }

    [Test]
    public void AddBackend_rejects_a_name_with_a_pool()
    {
        IImageVolumeCacheBuilder builder = AddCache(new ServiceCollection());

        Assert.That(
            () => builder.AddBackend<InMemoryVolumeDriver>("host1@lvm#pool-a"),
            Throws.ArgumentException.With.Message.Contains("'host1@lvm#pool-a'").And.Message.Contains("'host1@lvm'"));
    }

    [Test]
    public void Pipeline_without_an_image_service_fails_to_resolve_naming_the_fix()
    {
        var services = new ServiceCollection();
        AddCache(services);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(
            () => provider.GetRequiredService<CreateFromImagePipeline>(),
            Throws.InvalidOperationException.With.Message.Contains(nameof(IImageService)).And.Message.Contains("UseImageService"));
    }

    [Test]
    public async Task Request_for_an_unregistered_backend_names_it_and_the_registered_ones()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");

        await Assert.ThatAsync(
            async () => await harness.CreateAsync("image-a", host: "host9@nfs#pool"),
            Throws.ArgumentException
                .With.Message.Contains("'host9@nfs'")
                .And.Message.Contains(CacheHarness.Backend)
                .And.Message.Contains(CacheHarness.OtherBackend));
    }

    [Test]
    public void Image_volume_cache_resolves_to_one_singleton()
    {
        var services = new ServiceCollection();
        AddCache(services);
        using ServiceProvider provider = services.BuildServiceProvider();
        using IServiceScope scope = provider.CreateScope();

        IImageVolumeCache first = provider.GetRequiredService<IImageVolumeCache>();
        IImageVolumeCache second = provider.GetRequiredService<IImageVolumeCache>();
        IImageVolumeCache scoped = scope.ServiceProvider.GetRequiredService<IImageVolumeCache>();

        Assert.That(new[] { second, scoped }, Is.All.SameAs(first));
    }

    [Test]
    public void Adding_the_cache_twice_registers_each_start_up_service_once()
    {
        var services = new ServiceCollection();

        AddCache(services);
        AddCache(services);

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();
        Assert.That(hosted, Is.EquivalentTo(new[] { typeof(ImageVolumeCacheStartupCheck), typeof(ImageVolumeCacheReconciliationService), typeof(ImageVolumeCacheTrimmer), typeof(ImageVolumeCacheWarmer) }));
    }

    [Test]
    public void Adding_the_cache_twice_registers_one_options_validator()
    {
        var services = new ServiceCollection();

        AddCache(services);
        AddCache(services);

        Assert.That(services.Count(d => d.ServiceType == typeof(IValidateOptions<ImageVolumeCacheOptions>)), Is.EqualTo(1));
    }

    [Test]
    public void Adding_the_cache_twice_registers_each_service_once()
    {
        var services = new ServiceCollection();

        AddCache(services);
        AddCache(services);

        Type[] singletons = [typeof(IImageVolumeCache), typeof(ICacheEntryStore), typeof(IImageVolumeCacheNotifier), typeof(CreateFromImagePipeline), typeof(TimeProvider)];
        Assert.That(singletons.Select(t => services.Count(d => d.ServiceType == t)), Is.All.EqualTo(1));
    }

    private static IImageVolumeCacheBuilder AddCache(IServiceCollection services)
    {
        services.AddLogging();
        return services.AddImageVolumeCache(options =>
        {
            options.InternalTenant.ProjectId = CacheHarness.InternalProject;
            options.InternalTenant.UserId = CacheHarness.InternalUser;
        });
    }

    /// <summary>Counts how many <see cref="DirectCloneDriver"/>s the service provider made, and disposed.</summary>
    private sealed class DriverConstructions
    {
        private int _count;
        private int _disposed;

        public int Count => Volatile.Read(ref _count);

        public int Disposed => Volatile.Read(ref _disposed);

        public void Add() => Interlocked.Increment(ref _count);

        public void Dispose() => Interlocked.Increment(ref _disposed);
    }

    /// <summary>A driver with a constructor dependency, that makes every volume by a direct image clone.</summary>
    private abstract class DirectCloneDriverBase : IVolumeDriver
    {
        protected DirectCloneDriverBase(DriverConstructions constructions)
        {
            Constructions = constructions;
            constructions.Add();
        }

        protected DriverConstructions Constructions { get; }

        public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) => ValueTask.FromResult(true);

        public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>A <see cref="DirectCloneDriverBase"/> that is <see cref="IDisposable"/>.</summary>
    private sealed class DirectCloneDriver(DriverConstructions constructions) : DirectCloneDriverBase(constructions), IDisposable
    {
        public void Dispose() => Constructions.Dispose();
    }

    /// <summary>A <see cref="DirectCloneDriverBase"/> that is only <see cref="IAsyncDisposable"/>.</summary>
    private sealed class AsyncDisposableDirectCloneDriver(DriverConstructions constructions) : DirectCloneDriverBase(constructions), IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Constructions.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
