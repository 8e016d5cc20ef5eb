using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>Single flight per (scope, image): concurrent misses share one download and one entry, and nothing else waits on it.</summary>
public sealed class SingleFlightTests : HarnessTestBase
{
    private const int WaitingForFill = 1025;

    [Test]
    public async Task Concurrent_requests_for_one_uncached_image_download_once_and_all_clone_the_one_entry()
    {
        const int Requests = 256;
        Harness.AddImage("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.CopyImage ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;

        Task<CreateVolumeFromImageResult>[] requests = [.. Enumerable.Range(0, Requests).Select(i => Task.Run(async () => await Harness.CreateAsync("img", volumeId: $"v{i}")))];
        await Eventually.HappensAsync(Harness.LogSignals.WhenLogged(WaitingForFill, Requests - 1), "every other request waits for the first one's fill");
        gate.SetResult();
        CreateVolumeFromImageResult[] results = await Eventually.Within(Task.WhenAll(requests));

        IReadOnlyList<ImageCacheEntry> entries = await Harness.Store.ListAsync(null, CancellationToken.None);
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(1));
        Assert.That(entries, Has.Count.EqualTo(1));
        Assert.That(results.Select(r => r.Volume.Id).Where(Harness.Driver.Exists).Distinct().Count(), Is.EqualTo(Requests));
        Assert.That(results.Count(r => r.Path == CreateFromImagePath.CacheMissCreated), Is.EqualTo(1));
        Assert.That(results.Count(r => r.Path == CreateFromImagePath.CacheHit), Is.EqualTo(Requests - 1));
        Assert.That(results.Select(r => Harness.Driver.GetVolume(r.Volume.Id).ClonedFromVolumeId).Distinct(), Is.EqualTo(new[] { entries[0].VolumeId }));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.EqualTo(1));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Hit), Is.EqualTo(Requests - 1));
    }

    [TestCase("a", CacheHarness.Backend, "b", CacheHarness.OtherBackend, TestName = "Requests_for_two_images_on_two_backends_proceed_in_parallel")]
    [TestCase("a", CacheHarness.Backend, "b", CacheHarness.Backend, TestName = "Requests_for_another_image_in_the_same_scope_do_not_wait_for_a_fill")]
    [TestCase("a", CacheHarness.Backend + "#pool-a", "a", CacheHarness.Backend + "#pool-b", TestName = "Requests_for_the_same_image_in_another_scope_do_not_wait_for_a_fill")]
    public async Task Requests_with_another_key_never_wait_for_a_fill(string firstImage, string firstHost, string secondImage, string secondHost)
    {
        Harness.AddImage("a");
        Harness.AddImage("b");
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int copies = 0;
        Harness.Driver.Delay = (call, ct) =>
            call.Operation == DriverOperation.CopyImage && Interlocked.Increment(ref copies) == 1 ? new ValueTask(secondDone.Task.WaitAsync(ct)) : ValueTask.CompletedTask;

        Task<CreateVolumeFromImageResult> first = Harness.CreateAsync(firstImage, host: firstHost).AsTask();
        await Eventually.HappensAsync(Harness.Driver.WaitForCallAsync(c => c.Operation == DriverOperation.CopyImage, CancellationToken.None), "the first fill is held in its copy");
        CreateVolumeFromImageResult second = await Eventually.Within(Harness.CreateAsync(secondImage, host: secondHost).AsTask());
        bool firstStillHeld = !first.IsCompleted;
        secondDone.SetResult();
        CreateVolumeFromImageResult firstResult = await Eventually.Within(first);

        Assert.That(firstStillHeld, Is.True, "the second request finished while the first fill was held");
        Assert.That((firstResult.Path, second.Path), Is.EqualTo((CreateFromImagePath.CacheMissCreated, CreateFromImagePath.CacheMissCreated)));
        Assert.That(Harness.Logs(WaitingForFill), Is.Empty);
    }

    [Test]
    public async Task When_the_leader_fails_one_waiter_takes_over_and_the_rest_clone_its_entry()
    {
        const int Requests = 16;
        Harness.AddImage("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int opens = 0;
        Harness.Images.StreamFactory = (_, data) =>
            Interlocked.Increment(ref opens) == 1 ? new FailingStream(gate.Task, new HttpRequestException("image service down")) : new MemoryStream(data);

        Task<CreateVolumeFromImageResult>[] requests = [.. Enumerable.Range(0, Requests).Select(i => Harness.CreateAsync("img", volumeId: $"v{i}").AsTask())];
        await Eventually.HappensAsync(Harness.LogSignals.WhenLogged(WaitingForFill, Requests - 1), "every other request waits for the first one's fill");
        gate.SetResult();
        await Eventually.Within(Task.WhenAll(requests).ContinueWith(t => 0, TaskScheduler.Default));

        Assert.That(requests.Count(r => r.IsFaulted), Is.EqualTo(1));
        Assert.That(requests.Single(r => r.IsFaulted).Exception!.InnerException, Is.InstanceOf<HttpRequestException>());
        CreateVolumeFromImageResult[] results = [.. requests.Where(r => !r.IsFaulted).Select(r => r.Result)];
        Assert.That(results.Count(r => r.Path == CreateFromImagePath.CacheMissCreated), Is.EqualTo(1), "one waiter led the next fill");
        Assert.That(results.Count(r => r.Path == CreateFromImagePath.CacheHit), Is.EqualTo(Requests - 2));
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(2));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.EqualTo(2));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
        Assert.That(await BackendInvariants.ViolationsAsync(Harness, [], results.Select(r => r.Volume.Id)), Is.Empty);
    }

    [Test]
    public async Task When_the_leaders_image_is_refused_by_its_inspection_every_waiter_fails_with_it_without_downloading_it()
    {
        const int Requests = 8;
        Harness.AddImage("img", sizeBytes: 100_000);
        Harness.Images.Update("img", image => image with { DiskFormat = "qcow2" }); // its bytes are not qcow2
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int opens = 0;
        Harness.Images.StreamFactory = (_, data) =>
            Interlocked.Increment(ref opens) == 1 ? new GatedStream(gate.Task, data) : new MemoryStream(data);

        Task<CreateVolumeFromImageResult>[] requests = [.. Enumerable.Range(0, Requests).Select(i => Harness.CreateAsync("img", volumeId: $"v{i}").AsTask())];
        await Eventually.HappensAsync(Harness.LogSignals.WhenLogged(WaitingForFill, Requests - 1), "every other request waits for the first one's fill");
        gate.SetResult();
        await Eventually.Within(Task.WhenAll(requests).ContinueWith(t => 0, TaskScheduler.Default));

        Assert.That(requests.Select(r => r.Exception?.InnerException), Is.All.InstanceOf<ImageUnacceptableException>());
        Assert.That(requests.Select(r => r.Exception!.InnerException!.Message), Is.All.Contains("(format mismatch)"));
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(1), "the image was downloaded once, by the leader");
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.EqualTo(Requests), "one miss per lookup");
        Assert.That(Harness.Driver.Volumes, Is.Empty);
    }

    [Test]
    public void A_claimed_format_no_inspection_accepts_is_refused_before_the_image_is_downloaded()
    {
        Harness.AddImage("img");
        Harness.Images.Update("img", image => image with { DiskFormat = "ploop" });

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await Harness.CreateAsync("img"));

        Assert.That(refusal!.Message, Does.Contain("(unknown format)").And.Contain("ploop"));
        Assert.That(Harness.Images.DownloadCount, Is.Zero);
    }

    [Test]
    public async Task A_cancelled_waiter_ends_alone_and_leaves_nothing()
    {
        Harness.AddImage("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Driver.Delay = (call, ct) => call.Operation == DriverOperation.CopyImage ? new ValueTask(gate.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        using var cts = new CancellationTokenSource();

        Task<CreateVolumeFromImageResult> leader = Harness.CreateAsync("img", volumeId: "leader").AsTask();
        Task<CreateVolumeFromImageResult> cancelled = Harness.Pipeline.CreateAsync(CacheHarness.Request("img", volumeId: "cancelled"), cts.Token).AsTask();
        Task<CreateVolumeFromImageResult> waiter = Harness.CreateAsync("img", volumeId: "waiter").AsTask();
        await Eventually.HappensAsync(Harness.LogSignals.WhenLogged(WaitingForFill, 2), "two requests wait for the leader's fill");
        await cts.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(cancelled));
        Assert.That(leader.IsCompleted || waiter.IsCompleted, Is.False, "the other requests go on waiting");
        gate.SetResult();
        Assert.That((await Eventually.Within(leader)).Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That((await Eventually.Within(waiter)).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(Harness.Driver.Exists("cancelled"), Is.False);
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(1));
        Assert.That(await BackendInvariants.ViolationsAsync(Harness, [], ["leader", "waiter"]), Is.Empty);
    }

    [Test]
    public async Task A_cancelled_leader_hands_the_fill_to_one_waiter()
    {
        Harness.AddImage("img");
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int copies = 0;
        Harness.Driver.Delay = (call, ct) =>
            call.Operation == DriverOperation.CopyImage && Interlocked.Increment(ref copies) == 1 ? new ValueTask(never.Task.WaitAsync(ct)) : ValueTask.CompletedTask;
        using var cts = new CancellationTokenSource();

        Task<CreateVolumeFromImageResult> leader = Harness.Pipeline.CreateAsync(CacheHarness.Request("img", volumeId: "leader"), cts.Token).AsTask();
        Task<CreateVolumeFromImageResult>[] waiters = [Harness.CreateAsync("img", volumeId: "w1").AsTask(), Harness.CreateAsync("img", volumeId: "w2").AsTask()];
        await Eventually.HappensAsync(Harness.LogSignals.WhenLogged(WaitingForFill, 2), "two requests wait for the leader's fill");
        await cts.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(leader));
        CreateVolumeFromImageResult[] results = await Eventually.Within(Task.WhenAll(waiters));
        Assert.That(results.Select(r => r.Path), Is.EquivalentTo(new[] { CreateFromImagePath.CacheMissCreated, CreateFromImagePath.CacheHit }));
        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(2));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
        Assert.That(await BackendInvariants.ViolationsAsync(Harness, [], ["w1", "w2"]), Is.Empty);
    }

    [Test]
    public async Task When_the_leader_makes_no_entry_each_waiter_downloads_into_its_own_volume_without_a_fill_of_its_own()
    {
        const int Requests = 8;
        Harness.AddImage("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Harness.Driver.Delay = async (call, ct) =>
        {
            if (call.Operation == DriverOperation.Create && !call.VolumeId.StartsWith('t'))
            {
                await gate.Task.WaitAsync(ct);
                throw new InvalidOperationException("internal tenant over quota");
            }
        };

        Task<CreateVolumeFromImageResult>[] requests = [.. Enumerable.Range(0, Requests).Select(i => Harness.CreateAsync("img", volumeId: $"t{i}").AsTask())];
        await Eventually.HappensAsync(Harness.LogSignals.WhenLogged(WaitingForFill, Requests - 1), "every other request waits for the first one's fill");
        gate.SetResult();
        CreateVolumeFromImageResult[] results = await Eventually.Within(Task.WhenAll(requests));

        Assert.That(results.Select(r => r.Path).Distinct(), Is.EqualTo(new[] { CreateFromImagePath.CacheMissNotCached }));
        Assert.That(Harness.Driver.Calls.Count(c => c.Operation == DriverOperation.Create && !c.VolumeId.StartsWith('t')), Is.EqualTo(1), "one cache volume tried");
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Miss), Is.EqualTo(Requests));
        Assert.That(Harness.Notifications(ImageVolumeCacheEventTypes.Hit), Is.Zero);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EquivalentTo(results.Select(r => r.Volume.Id)));
    }
}
