using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>Entries being cloned from are never deleted under the clone: not by eviction, not when they go stale.</summary>
public sealed class PinningTests : HarnessTestBase
{
    [Test]
    public async Task Clone_in_progress_when_its_entry_goes_stale_finishes_from_the_old_volume_which_then_goes()
    {
        Harness.AddImage("img");
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img");
        string oldVolume = first.CacheEntry!.VolumeId;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.SourceVolumeId == oldVolume ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> inUse = Harness.CreateAsync("img", volumeId: "in-use").AsTask();
        await Eventually.HappensAsync(Harness.Driver.WaitForCallAsync(c => c.VolumeId == "in-use", CancellationToken.None), "the hit is cloning");
        Harness.Images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddHours(1) });
        Harness.Notifier.Clear();

        CreateVolumeFromImageResult fresh = await Harness.CreateAsync("img", volumeId: "fresh");

        Assert.That(fresh.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated), "the new version is cached at once");
        Assert.That(Harness.Driver.Exists(oldVolume), Is.True, "the old volume stays while it is cloned from");
        Assert.That(Harness.Notifier.Notifications.Select(n => n.EventType), Is.EqualTo(new[] { ImageVolumeCacheEventTypes.Evict, ImageVolumeCacheEventTypes.Miss }));

        gate.SetResult();
        CreateVolumeFromImageResult old = await Eventually.Within(inUse);

        Assert.That(old.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(Harness.Driver.GetVolume("in-use").ClonedFromVolumeId, Is.EqualTo(oldVolume));
        Assert.That(Harness.Driver.Exists(oldVolume), Is.False, "the last clone's end deletes the old volume");
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Evict), Is.EqualTo(1));
        Assert.That((await Harness.Store.ListAsync(null, CancellationToken.None)).Select(e => e.VolumeId), Is.EqualTo(new[] { fresh.CacheEntry!.VolumeId }));
        Assert.That((Harness.Logs(1020).Count, Harness.Logs(1021).Count), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task Failure_to_delete_a_retired_volume_is_logged_with_its_id()
    {
        Harness.AddImage("img");
        CreateVolumeFromImageResult first = await Harness.CreateAsync("img");
        string oldVolume = first.CacheEntry!.VolumeId;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.SourceVolumeId == oldVolume ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> inUse = Harness.CreateAsync("img", volumeId: "in-use").AsTask();
        await Eventually.HappensAsync(Harness.Driver.WaitForCallAsync(c => c.VolumeId == "in-use", CancellationToken.None), "the hit is cloning");
        Harness.Images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddHours(1) });
        await Harness.CreateAsync("img", volumeId: "fresh");
        Harness.Driver.Fault = call => call.Operation == DriverOperation.Delete && call.VolumeId == oldVolume ? new IOException("backend down") : null;

        gate.SetResult();
        CreateVolumeFromImageResult old = await Eventually.Within(inUse);

        Assert.That(old.Path, Is.EqualTo(CreateFromImagePath.CacheHit), "the failed deletion does not fail the request");
        Assert.That(Harness.Logs(1022).Single().Message, Does.Contain(oldVolume).And.Contain(CacheHarness.Backend));
    }

    [Test]
    public async Task Eviction_for_room_skips_the_entry_being_cloned_and_takes_the_next_least_recently_used()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxCount = 2);
        harness.AddImage("x");
        harness.AddImage("y");
        harness.AddImage("z");
        string x = (await harness.CreateAsync("x")).CacheEntry!.VolumeId;
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        string y = (await harness.CreateAsync("y")).CacheEntry!.VolumeId;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.SourceVolumeId == x ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        Task<CreateVolumeFromImageResult> cloning = harness.CreateAsync("x", volumeId: "cloning").AsTask();
        await Eventually.HappensAsync(harness.Driver.WaitForCallAsync(c => c.VolumeId == "cloning", CancellationToken.None), "x is being cloned");
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.CreateAsync("y");

        CreateVolumeFromImageResult z = await harness.CreateAsync("z");
        gate.SetResult();
        CreateVolumeFromImageResult clone = await Eventually.Within(cloning);

        Assert.That(z.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(clone.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That((harness.Driver.Exists(x), harness.Driver.Exists(y)), Is.EqualTo((true, false)), "x was least recently used but in use; y went instead");
        Assert.That((await harness.Store.ListAsync(null, CancellationToken.None)).Select(e => e.ImageId), Is.EquivalentTo(new[] { "x", "z" }));
    }
}
