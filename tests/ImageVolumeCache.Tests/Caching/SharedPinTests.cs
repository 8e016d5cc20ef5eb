using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>
/// A process holds one pin per entry in the store's coordination for all of its clones from it: hits join it without a
/// store call, it lingers a second after the last clone so that the next hit joins it too, and it is given back when its
/// linger ends, when this process removes the entry, and when the cache is disposed.
/// </summary>
public sealed class SharedPinTests
{
    [Test]
    public async Task Hits_one_after_another_take_one_pin_in_the_store_and_give_it_back_a_second_after_the_last()
    {
        var store = new WatchedStore();
        using var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        await harness.CreateAsync("img", volumeId: "first");
        int takenByTheMiss = store.PinsTaken;

        for (int i = 0; i < 5; i++)
        {
            Assert.That((await harness.CreateAsync("img", volumeId: $"hit-{i}")).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        }

        Assert.That((store.PinsTaken - takenByTheMiss, store.PinsReleased), Is.EqualTo((0, 0)), "the hits joined the pin the miss's clone left");
        Assert.That(await AnotherProcessCanBeginRemovalAsync(store, harness), Is.False, "the lingering pin keeps other processes from removing the entry");

        harness.Time.Advance(new ImageVolumeCacheOptions().PinLinger);

        await Eventually.TrueAsync(() => store.PinsReleased == 1, "the idle pin given back once its linger ended");
        Assert.That(await AnotherProcessCanBeginRemovalAsync(store, harness), Is.True);
    }

    [Test]
    public async Task With_a_pin_linger_of_zero_each_pin_is_given_back_with_its_clone()
    {
        var store = new WatchedStore();
        using var harness = new CacheHarness(o => o.PinLinger = TimeSpan.Zero, store: store);
        harness.AddImage("img");
        await harness.CreateAsync("img", volumeId: "first");
        await harness.CreateAsync("img", volumeId: "hit");

        Assert.That((store.PinsTaken, store.PinsReleased), Is.EqualTo((2, 2)));
        Assert.That(await AnotherProcessCanBeginRemovalAsync(store, harness), Is.True);
    }

    [Test]
    public async Task Hits_in_flight_together_share_one_pin()
    {
        var store = new WatchedStore();
        using var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        await harness.CreateAsync("img", volumeId: "first");
        harness.Time.Advance(new ImageVolumeCacheOptions().PinLinger);
        await Eventually.TrueAsync(() => store.PinsReleased == 1, "the miss's pin given back");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;

        Task<CreateVolumeFromImageResult>[] hits = [.. Enumerable.Range(0, 4).Select(i => harness.CreateAsync("img", volumeId: $"hit-{i}").AsTask())];
        await Eventually.TrueAsync(() => harness.Driver.Calls.Count(c => c.Operation == DriverOperation.Clone && c.VolumeId.StartsWith("hit-", StringComparison.Ordinal)) == 4, "the four hits cloning");
        gate.SetResult();
        await Task.WhenAll(hits);

        Assert.That(hits.Select(h => h.Result.Path), Is.All.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(store.PinsTaken, Is.EqualTo(2), "one pin for the miss, one shared by the four hits");
    }

    [Test]
    public async Task This_process_evicts_an_entry_it_holds_only_an_idle_pin_on_at_once()
    {
        var store = new WatchedStore();
        using var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        ImageCacheEntry entry = (await harness.CreateAsync("img")).CacheEntry!;

        bool evicted = await harness.Cache.EvictAsync(entry, CancellationToken.None);

        Assert.That(evicted, Is.True, "its own lingering pin does not keep this process from evicting the entry");
        Assert.That(harness.Driver.Exists(entry.VolumeId), Is.False);
        Assert.That(store.PinsReleased, Is.EqualTo(1));
    }

    [Test]
    public async Task An_entry_being_cloned_from_is_still_not_evicted_by_this_process()
    {
        var store = new WatchedStore();
        using var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        ImageCacheEntry entry = (await harness.CreateAsync("img")).CacheEntry!;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> hit = harness.CreateAsync("img", volumeId: "hit").AsTask();
        await Eventually.TrueAsync(() => harness.Driver.Calls.Any(c => c.Operation == DriverOperation.Clone && c.VolumeId == "hit"), "the hit cloning");

        bool evicted = await harness.Cache.EvictAsync(entry, CancellationToken.None);
        gate.SetResult();
        await hit;

        Assert.That(evicted, Is.False);
        Assert.That(harness.Driver.Exists(entry.VolumeId), Is.True);
        Assert.That(store.PinsReleased, Is.Zero, "the pin in use is not given back for the eviction");
    }

    [Test]
    public async Task Disposing_the_cache_gives_back_its_idle_pins()
    {
        var store = new WatchedStore();
        var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        await harness.CreateAsync("img");
        Assert.That(store.PinsReleased, Is.Zero);

        harness.Dispose();

        Assert.That(store.PinsReleased, Is.EqualTo(1));
    }

    [Test]
    public async Task A_pin_lost_in_the_store_is_not_joined_by_later_hits()
    {
        var store = new WatchedStore { LosePinsOnRenew = true };
        using var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await harness.CreateAsync("img", volumeId: "first");
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.VolumeId == "long" ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> longClone = harness.CreateAsync("img", volumeId: "long").AsTask();
        await Eventually.TrueAsync(() => harness.Driver.Calls.Any(c => c.Operation == DriverOperation.Clone && c.VolumeId == "long"), "the long clone");
        int taken = store.PinsTaken;

        // The renewal finds the pin gone (run out, say): the next hit takes a pin of its own.
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => store.PinRenewals > 0, "the pin renewed");
        await harness.CreateAsync("img", volumeId: "after");
        gate.SetResult();
        await longClone;

        Assert.That(store.PinsTaken, Is.EqualTo(taken + 1));
    }

    [Test]
    public async Task A_pin_whose_renewals_fail_is_not_joined_once_it_may_have_run_out_and_is_given_back_when_replaced()
    {
        var store = new WatchedStore { FailPinRenewals = true };
        using CacheHarness harness = await MissWithLongLingerAsync(store);

        // FillLeaseDuration is 30 s: renewals at 10 and 20 s fail, so at 23 s the pin may run out before the next one.
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => store.PinRenewals >= 2, "two failed renewals");
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.That((await harness.CreateAsync("img", volumeId: "hit")).Path, Is.EqualTo(CreateFromImagePath.CacheHit));

        Assert.That(store.PinsTaken, Is.EqualTo(2), "the hit took a pin of its own instead of joining the ageing one");
        Assert.That(store.PinsReleased, Is.EqualTo(1), "the replaced pin, idle, was given back, not left to be renewed forever");
    }

    [Test]
    public async Task An_idle_pin_the_store_lost_is_given_back_at_once()
    {
        var store = new WatchedStore { LosePinsOnRenew = true };
        using CacheHarness harness = await MissWithLongLingerAsync(store);

        harness.Time.Advance(TimeSpan.FromSeconds(10));

        await Eventually.TrueAsync(() => store.PinsReleased == 1, "the lost idle pin given back");
        int renewals = store.PinRenewals;
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(store.PinRenewals, Is.EqualTo(renewals), "a pin given back is not renewed again");
    }

    [Test]
    public async Task An_entry_retired_while_its_only_pin_lingers_idle_has_its_volume_deleted_at_once()
    {
        var store = new WatchedStore();
        using var harness = new CacheHarness(o => o.PinLinger = TimeSpan.FromMinutes(1), store: store);
        harness.AddImage("img");
        string oldVolume = (await harness.CreateAsync("img", volumeId: "first")).CacheEntry!.VolumeId;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.VolumeId == "in-use" ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> inUse = harness.CreateAsync("img", volumeId: "in-use").AsTask();
        await Eventually.TrueAsync(() => harness.Driver.Calls.Any(c => c.Operation == DriverOperation.Clone && c.VolumeId == "in-use"), "the hit cloning");
        harness.Images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddHours(1) });

        // The new version's request cannot evict the old entry (the hit clones from it); before it retires the entry, the
        // hit ends, and the process's pin on the old entry lingers idle.
        store.BeforeRetire = async () =>
        {
            gate.TrySetResult();
            await inUse;
        };
        CreateVolumeFromImageResult fresh = await harness.CreateAsync("img", volumeId: "fresh");

        Assert.That(fresh.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(harness.Driver.Exists(oldVolume), Is.False, "the retired entry's last pin, idle, was given back and its volume deleted");
        Assert.That(store.PinsReleased, Is.EqualTo(1), "the old entry's pin, given back by the retirement (the new entry's lingers)");
    }

    [Test]
    public async Task A_pin_in_use_when_the_cache_is_disposed_is_given_back_by_its_last_user()
    {
        var store = new WatchedStore();
        var harness = new CacheHarness(store: store);
        harness.AddImage("img");
        await harness.CreateAsync("img", volumeId: "miss");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.Clone && call.VolumeId == "hit" ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        Task<CreateVolumeFromImageResult> hit = harness.CreateAsync("img", volumeId: "hit").AsTask();
        await Eventually.TrueAsync(() => harness.Driver.Calls.Any(c => c.Operation == DriverOperation.Clone && c.VolumeId == "hit"), "the hit cloning");

        harness.Dispose();
        Assert.That(store.PinsReleased, Is.Zero, "the pin in use is kept");
        gate.SetResult();
        await hit;

        Assert.That(store.PinsReleased, Is.EqualTo(1), "its last user gave it back at once, after the cache was disposed");
    }

    /// <summary>A harness whose pins linger a minute, and a miss that made the entry of image "img" and left its pin idle.</summary>
    private static async Task<CacheHarness> MissWithLongLingerAsync(WatchedStore store)
    {
        var harness = new CacheHarness(o => o.PinLinger = TimeSpan.FromMinutes(1), store: store);
        harness.AddImage("img");
        await harness.CreateAsync("img", volumeId: "miss");
        return harness;
    }

    private static async Task<bool> AnotherProcessCanBeginRemovalAsync(WatchedStore store, CacheHarness harness)
    {
        ImageCacheEntry entry = (await store.ListAsync(null, CancellationToken.None)).Single();
        bool begun = await store.TryBeginRemovalAsync(entry.Id, "another-process", harness.Time.GetUtcNow(), TimeSpan.FromSeconds(30), CancellationToken.None);
        if (begun)
        {
            await store.EndRemovalAsync(entry.Id, "another-process", CancellationToken.None);
        }

        return begun;
    }
}
