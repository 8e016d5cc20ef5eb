using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>Which path the pipeline takes, in which order, and what each path leaves behind.</summary>
public sealed class CreateFromImagePipelinePathTests : HarnessTestBase
{
    [Test]
    public async Task Direct_clone_by_the_driver_ends_the_pipeline_without_a_cache_entry()
    {
        Harness.AddImage("img");
        Harness.Driver.CanCloneImage = _ => true;

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.DirectClone));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Harness.Driver.Calls.Select(c => c.Operation), Is.EqualTo(new[] { DriverOperation.TryCloneImage }));
        Assert.That(Harness.Driver.GetVolume("v1").ClonedFromImageId, Is.EqualTo("img"));
        Assert.That(Harness.Notifier.Notifications, Is.Empty);
    }

    [Test]
    public async Task Encrypted_volume_skips_the_direct_clone_and_the_cache()
    {
        Harness.AddImage("img");
        Harness.Driver.CanCloneImage = _ => true;

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", encrypted: true);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.Download));
        Assert.That(Harness.Driver.CountOf(DriverOperation.TryCloneImage), Is.Zero);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Harness.Notifier.Notifications, Is.Empty);
    }

    [Test]
    public async Task Cinder_location_is_ignored_when_the_scheme_is_not_allowed()
    {
        Harness.AddImage("img");
        Harness.Images.Update("img", i => i with { Locations = ["cinder://image-volume-1"] });
        Harness.Driver.Seed(new VolumeSpec("image-volume-1", CacheHarness.Backend, 1), [1, 2, 3]);

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(Harness.Driver.Calls.Where(c => c.SourceVolumeId == "image-volume-1"), Is.Empty);
    }

    [Test]
    public async Task Miss_steps_run_in_the_documented_order()
    {
        Harness.AddImage("img");

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", sizeGb: 3);

        Assert.That(result.Steps.Select(s => s.Step), Is.EqualTo(new[]
        {
            PipelineStep.DescribeImage, PipelineStep.DirectClone, PipelineStep.CacheLookup, PipelineStep.EnsureSpace,
            PipelineStep.CreateCacheEntry, PipelineStep.CloneFromCache, PipelineStep.Extend,
        }));
    }

    [Test]
    public async Task Miss_calls_the_driver_in_order_create_copy_then_clone_the_target_from_the_cache_volume_then_extend()
    {
        Harness.AddImage("img");

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", sizeGb: 3, volumeId: "v1");

        string cacheVolume = result.CacheEntry!.VolumeId;
        Assert.That(Harness.Driver.Calls, Is.EqualTo(new[]
        {
            new DriverCall(DriverOperation.TryCloneImage, "v1", SizeGb: 3),
            new DriverCall(DriverOperation.Create, cacheVolume, SizeGb: 1),
            new DriverCall(DriverOperation.CopyImage, cacheVolume),
            new DriverCall(DriverOperation.Clone, "v1", cacheVolume, 1),
            new DriverCall(DriverOperation.Extend, "v1", SizeGb: 3),
        }));
    }

    [Test]
    public async Task Hit_steps_run_in_the_documented_order()
    {
        Harness.AddImage("img");
        await Harness.CreateAsync("img");

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", sizeGb: 2);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(result.Steps.Select(s => s.Step), Is.EqualTo(new[]
        {
            PipelineStep.DescribeImage, PipelineStep.DirectClone, PipelineStep.CacheLookup, PipelineStep.CloneFromCache, PipelineStep.Extend,
        }));
    }

    [Test]
    public async Task Cache_off_downloads_straight_into_the_target()
    {
        using var harness = new CacheHarness(o => o.Defaults.Enabled = false);
        harness.AddImage("img");

        CreateVolumeFromImageResult result = await harness.CreateAsync("img", volumeId: "v1", sizeGb: 2);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.Download));
        Assert.That(result.Steps.Select(s => s.Step), Is.EqualTo(new[] { PipelineStep.DescribeImage, PipelineStep.DirectClone, PipelineStep.Download }));
        Assert.That(harness.Driver.Volumes.Select(v => v.Spec), Is.EqualTo(new[] { CacheHarness.Request("img", 2, "v1").Volume }));
        Assert.That(harness.Notifier.Notifications, Is.Empty);
    }

    [Test]
    public async Task A_backend_can_turn_its_cache_off_while_others_keep_theirs()
    {
        using var harness = new CacheHarness(o => o.Backends[CacheHarness.OtherBackend] = new BackendCacheOptions { Enabled = false });
        harness.AddImage("img");

        CreateVolumeFromImageResult onFirst = await harness.CreateAsync("img");
        CreateVolumeFromImageResult onSecond = await harness.CreateAsync("img", host: CacheHarness.OtherBackend);

        Assert.That(onFirst.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(onSecond.Path, Is.EqualTo(CreateFromImagePath.Download));
    }

    [Test]
    public async Task Step_timings_come_from_the_time_provider()
    {
        Harness.AddImage("img");
        Harness.Driver.Delay = (call, _) =>
        {
            if (call.Operation == DriverOperation.CopyImage)
            {
                Harness.Time.Advance(TimeSpan.FromSeconds(7));
            }

            return ValueTask.CompletedTask;
        };

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img");

        Assert.That(result.Steps.Single(s => s.Step == PipelineStep.CreateCacheEntry).Duration, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(result.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }
}
