using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>ReconcileAsync with the in-memory driver: lost volumes, orphan cache volumes, and volumes still being filled.</summary>
public sealed class ReconciliationTests : HarnessTestBase
{
    private const string Backend = CacheHarness.Backend;
    private readonly HashSet<string> _images = [];

    [SetUp]
    public void ForgetImages() => _images.Clear();

    [Test]
    public async Task An_entry_whose_volume_is_gone_is_removed_with_one_evict()
    {
        ImageCacheEntry entry = await CachedEntryAsync("image-a");
        Harness.Driver.Lose(entry.VolumeId);
        Harness.Notifier.Clear();

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ReconciliationResult(Backend, EntriesRemoved: 1, VolumesAdopted: 0, VolumesDeleted: 0, VolumesSkipped: 0, Failures: 0)));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Harness.Notifier.Notifications.Select(n => (n.EventType, n.ImageId)), Is.EqualTo(new[] { (ImageVolumeCacheEventTypes.Evict, "image-a") }));
    }

    [Test]
    public async Task A_complete_cache_volume_of_an_unchanged_image_without_an_entry_is_adopted_and_then_hit()
    {
        ImageCacheEntry entry = await CachedEntryAsync("image-a");
        await Harness.Store.RemoveAsync(entry.Id, CancellationToken.None);

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);
        CreateVolumeFromImageResult next = await Harness.CreateAsync("image-a");

        Assert.That(result.VolumesAdopted, Is.EqualTo(1));
        ImageCacheEntry? adopted = await Harness.Store.FindByVolumeIdAsync(entry.VolumeId, CancellationToken.None);
        Assert.That(adopted, Is.EqualTo(entry with { Id = adopted!.Id, CreatedAt = adopted.CreatedAt, LastUsed = adopted.LastUsed }));
        Assert.That(next.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_cache_volume_whose_image_data_is_incomplete_is_deleted()
    {
        _images.Add("image-a");
        Harness.AddImage("image-a");
        VolumeSpec orphan = CacheVolume("orphan-1", "image-a", InMemoryImageService.DefaultUpdatedAt);
        Harness.Driver.Seed(orphan, new byte[16]);

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That(result.VolumesDeleted, Is.EqualTo(1));
        Assert.That(Harness.Driver.Exists("orphan-1"), Is.False);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task A_cache_volume_of_an_image_changed_since_it_was_filled_is_deleted()
    {
        ImageCacheEntry entry = await CachedEntryAsync("image-a");
        await Harness.Store.RemoveAsync(entry.Id, CancellationToken.None);
        Harness.Images.Update("image-a", i => i with { UpdatedAt = i.UpdatedAt.AddMinutes(5) });

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That((result.VolumesAdopted, result.VolumesDeleted), Is.EqualTo((0, 1)));
        Assert.That(Harness.Driver.Exists(entry.VolumeId), Is.False);
    }

    [Test]
    public async Task A_cache_volume_of_an_image_that_no_longer_exists_is_deleted()
    {
        Harness.Driver.Seed(CacheVolume("orphan-1", "image-gone", InMemoryImageService.DefaultUpdatedAt), []);
        ImageCacheEntry entry = await CachedEntryAsync("image-a");
        await Harness.Store.RemoveAsync(entry.Id, CancellationToken.None);
        Harness.Images.Fault = (_, imageId) => imageId == "image-a" ? new ImageNotFoundException(imageId) : null;

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That(result.VolumesDeleted, Is.EqualTo(2));
        Assert.That(Harness.Driver.Exists(entry.VolumeId), Is.False);
    }

    [Test]
    public async Task A_cache_volume_is_kept_for_the_next_reconciliation_when_the_image_service_fails()
    {
        ImageCacheEntry entry = await CachedEntryAsync("image-a");
        await Harness.Store.RemoveAsync(entry.Id, CancellationToken.None);
        Harness.Images.Fault = (_, _) => new HttpRequestException("image service down");

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That((result.Failures, result.VolumesDeleted), Is.EqualTo((1, 0)));
        Assert.That(Harness.Driver.Exists(entry.VolumeId), Is.True);
    }

    [Test]
    public async Task Two_orphan_volumes_of_one_image_make_one_entry_and_the_other_is_deleted()
    {
        ImageCacheEntry first = await CachedEntryAsync("image-a");
        await Harness.Store.RemoveAsync(first.Id, CancellationToken.None);
        ImageCacheEntry second = await CachedEntryAsync("image-a");
        await Harness.Store.RemoveAsync(second.Id, CancellationToken.None);

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That((result.VolumesAdopted, result.VolumesDeleted), Is.EqualTo((1, 1)));
        IReadOnlyList<ImageCacheEntry> entries = await Harness.Store.ListAsync(null, CancellationToken.None);
        Assert.That(entries, Has.Count.EqualTo(1));
        Assert.That(Harness.Driver.Exists(entries[0].VolumeId), Is.True);
        Assert.That(new[] { first.VolumeId, second.VolumeId }.Count(Harness.Driver.Exists), Is.EqualTo(1));
    }

    [Test]
    public async Task Volumes_that_are_not_cache_volumes_of_the_internal_tenant_are_left_alone()
    {
        _images.Add("image-a");
        Harness.AddImage("image-a");
        Harness.Driver.Seed(new VolumeSpec("user-volume", Backend, 1) { ProjectId = "user-project", UserId = "user-1" }, []);
        Harness.Driver.Seed(new VolumeSpec("internal-plain", Backend, 1) { ProjectId = CacheHarness.InternalProject, UserId = CacheHarness.InternalUser }, []);
        Harness.Driver.Seed(CacheVolume("other-tenant", "image-a", InMemoryImageService.DefaultUpdatedAt) with { ProjectId = "someone-else" }, []);
        ImageCacheEntry entry = await CachedEntryAsync("image-a");
        int deletesBefore = Harness.Driver.CountOf(DriverOperation.Delete);

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ReconciliationResult(Backend, 0, 0, 0, 0, 0)));
        Assert.That(Harness.Driver.CountOf(DriverOperation.Delete), Is.EqualTo(deletesBefore));
        Assert.That(new[] { "user-volume", "internal-plain", "other-tenant", entry.VolumeId }, Is.All.Matches<string>(Harness.Driver.Exists));
    }

    [Test]
    public async Task A_cache_volume_this_process_is_still_filling_is_left_alone()
    {
        _images.Add("image-a");
        Harness.AddImage("image-a");
        var copying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Driver.Delay = async (call, ct) =>
        {
            if (call.Operation == DriverOperation.CopyImage)
            {
                copying.TrySetResult();
                await release.Task.WaitAsync(ct);
            }
        };
        ValueTask<CreateVolumeFromImageResult> create = Harness.CreateAsync("image-a");
        await copying.Task;

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);
        release.SetResult();
        CreateVolumeFromImageResult created = await create;

        Assert.That((result.VolumesSkipped, result.VolumesDeleted, result.VolumesAdopted), Is.EqualTo((1, 0, 0)));
        Assert.That(created.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        ImageCacheEntry entry = (await Harness.Store.ListAsync(null, CancellationToken.None)).Single();
        Assert.That(Harness.Driver.Exists(entry.VolumeId), Is.True);
    }

    [Test]
    public async Task Entries_of_other_backends_are_not_touched()
    {
        ImageCacheEntry other = await CachedEntryAsync("image-a", CacheHarness.OtherBackend);
        Harness.OtherDriver.Lose(other.VolumeId);

        ReconciliationResult result = await Harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That(result.EntriesRemoved, Is.Zero);
        Assert.That(await Harness.Store.FindByVolumeIdAsync(other.VolumeId, CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task Reconcile_does_nothing_when_the_cache_is_off_for_the_backend()
    {
        using var harness = new CacheHarness(o => o.Backends[Backend] = new BackendCacheOptions { Enabled = false });
        harness.Driver.Seed(CacheVolume("orphan-1", "image-a", InMemoryImageService.DefaultUpdatedAt), []);

        ReconciliationResult result = await harness.Cache.ReconcileAsync(Backend, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ReconciliationResult(Backend, 0, 0, 0, 0, 0)));
        Assert.That(harness.Driver.CountOf(DriverOperation.List), Is.Zero);
    }

    [Test]
    public void Reconcile_of_an_unknown_backend_names_it()
    {
        Assert.That(
            async () => await Harness.Cache.ReconcileAsync("host9@nfs", CancellationToken.None),
            Throws.ArgumentException.With.Message.Contains("host9@nfs"));
    }

    [Test]
    public async Task Start_up_reconciles_every_enabled_backend()
    {
        ImageCacheEntry entry = await CachedEntryAsync("image-a");
        Harness.Driver.Lose(entry.VolumeId);

        await StartHostedServicesAsync(Harness);

        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Harness.OtherDriver.CountOf(DriverOperation.List), Is.EqualTo(1));
    }

    [Test]
    public async Task Start_up_logs_a_driver_failure_and_goes_on_with_the_next_backend()
    {
        ImageCacheEntry other = await CachedEntryAsync("image-a", CacheHarness.OtherBackend);
        Harness.OtherDriver.Lose(other.VolumeId);
        Harness.Driver.Fault = call => call.Operation == DriverOperation.List ? new IOException("backend offline") : null;

        await StartHostedServicesAsync(Harness);

        Assert.That(Harness.Logs(1036).Select(r => r.Message), Has.One.Contains(Backend));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Start_up_does_not_reconcile_when_ReconcileOnStartup_is_off()
    {
        using var harness = new CacheHarness(o => o.ReconcileOnStartup = false);

        await StartHostedServicesAsync(harness);

        Assert.That(harness.Driver.CountOf(DriverOperation.List), Is.Zero);
    }

    private async Task<ImageCacheEntry> CachedEntryAsync(string imageId, string host = Backend)
    {
        if (_images.Add(imageId))
        {
            Harness.AddImage(imageId);
        }

        CreateVolumeFromImageResult created = await Harness.CreateAsync(imageId, host: host);
        Assert.That(created.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        return created.CacheEntry!;
    }

    private static VolumeSpec CacheVolume(string id, string imageId, DateTimeOffset updatedAt) =>
        CacheHarness.CacheVolume(id, Backend, 1, imageId, updatedAt);

    private static async Task StartHostedServicesAsync(CacheHarness harness)
    {
        foreach (IHostedService service in harness.Services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }
}
