using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>A request deletes only what it made: a volume id that is taken fails the request and leaves the volume as it was.</summary>
public sealed class CreateFromImagePipelineOwnershipTests : HarnessTestBase
{
    private static readonly byte[] UsersData = [42, 42, 42];

    [Test]
    public async Task Hit_for_a_volume_id_that_exists_fails_and_leaves_the_existing_volume()
    {
        Harness.AddImage("img");
        await Harness.CreateAsync("img", volumeId: "earlier");
        Harness.Driver.Seed(new VolumeSpec("vol-1", CacheHarness.Backend, 1) { ProjectId = "someone" }, UsersData);

        var ex = Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () => await Harness.CreateAsync("img", volumeId: "vol-1"));

        Assert.That(ex!.VolumeId, Is.EqualTo("vol-1"));
        AssertUntouched("vol-1");
    }

    [Test]
    public async Task Miss_for_a_volume_id_that_exists_fails_keeps_the_new_entry_and_leaves_the_existing_volume()
    {
        Harness.AddImage("img");
        Harness.Driver.Seed(new VolumeSpec("vol-1", CacheHarness.Backend, 1) { ProjectId = "someone" }, UsersData);

        Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () => await Harness.CreateAsync("img", volumeId: "vol-1"));

        AssertUntouched("vol-1");
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public void Download_for_a_volume_id_that_exists_fails_and_leaves_the_existing_volume()
    {
        Harness.AddImage("img");
        Harness.Driver.Seed(new VolumeSpec("vol-1", CacheHarness.Backend, 1) { ProjectId = "someone" }, UsersData);

        Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () => await Harness.CreateAsync("img", volumeId: "vol-1", encrypted: true));

        AssertUntouched("vol-1");
    }

    [Test]
    public async Task Download_after_a_full_cache_for_a_volume_id_that_exists_leaves_the_existing_volume()
    {
        using var harness = new CacheHarness(o => o.Defaults.MaxSizeGb = 1);
        harness.AddImage("img", virtualSizeBytes: 2 * CacheHarness.GiB);
        harness.Driver.Seed(new VolumeSpec("vol-1", CacheHarness.Backend, 2) { ProjectId = "someone" }, UsersData);

        Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () => await harness.CreateAsync("img", volumeId: "vol-1", sizeGb: 2));

        Assert.That(harness.Driver.GetVolume("vol-1").Data, Is.EqualTo(UsersData));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Two_concurrent_requests_for_one_volume_id_make_it_once_and_the_survivor_is_the_one_reported(bool cached)
    {
        ImageInfo image = Harness.AddImage("img");
        if (cached)
        {
            await Harness.CreateAsync("img", volumeId: "earlier");
        }

        // Both requests are held at the call that makes the target, then released together.
        var bothThere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int arrived = 0;
        Harness.Driver.Delay = async (call, ct) =>
        {
            if (call.VolumeId == "vol-1" && call.Operation is DriverOperation.Create or DriverOperation.Clone)
            {
                if (Interlocked.Increment(ref arrived) == 2)
                {
                    bothThere.TrySetResult();
                }

                await bothThere.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            }
        };

        Task<CreateVolumeFromImageResult>[] requests = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(async () => await Harness.CreateAsync("img", volumeId: "vol-1")))];
        Exception? failure = null;
        try
        {
            await Task.WhenAll(requests);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        Assert.That(requests.Count(r => r.IsCompletedSuccessfully), Is.EqualTo(1));
        Assert.That(failure, Is.InstanceOf<VolumeAlreadyExistsException>());
        Assert.That(Harness.Driver.Exists("vol-1"), Is.True, "the volume reported as created still exists");
        Assert.That(Harness.Driver.GetVolume("vol-1").Data.Take((int)image.SizeBytes), Is.EqualTo(Harness.Driver.Volumes.Single(v => v.Spec.ProjectId == CacheHarness.InternalProject).Data.Take((int)image.SizeBytes)));
    }

    private void AssertUntouched(string volumeId)
    {
        FakeVolume volume = Harness.Driver.GetVolume(volumeId);
        Assert.That(volume.Data, Is.EqualTo(UsersData));
        Assert.That(volume.Spec.ProjectId, Is.EqualTo("someone"));
        Assert.That(Harness.Driver.Calls.Where(c => c.Operation is DriverOperation.Delete or DriverOperation.Extend or DriverOperation.CopyImage && c.VolumeId == volumeId), Is.Empty);
    }
}
