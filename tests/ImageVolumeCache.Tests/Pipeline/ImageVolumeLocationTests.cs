using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>
/// <c>cinder://</c> locations are clone sources only under Cinder's rules: a raw (and bare) image, a well-formed location,
/// and an image-volume that the image's owner owns.
/// </summary>
public sealed class ImageVolumeLocationTests
{
    private const string Owner = "user-project";

    private CacheHarness _harness = null!;

    [SetUp]
    public void CreateHarness() => _harness = new CacheHarness(o => o.AllowedDirectUrlSchemes.Add("cinder"));

    [TearDown]
    public void DisposeHarness() => _harness.Dispose();

    [Test]
    public async Task Image_volume_of_the_images_owner_is_cloned()
    {
        AddImage(["cinder://image-volume-1"]);
        SeedImageVolume("image-volume-1", Owner);

        CreateVolumeFromImageResult result = await _harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.ImageVolumeClone));
        Assert.That(_harness.Driver.GetVolume("v1").ClonedFromVolumeId, Is.EqualTo("image-volume-1"));
    }

    [Test]
    public async Task Location_naming_another_tenants_volume_is_not_cloned()
    {
        AddImage(["cinder://victims-volume"]);
        SeedImageVolume("victims-volume", "victim-project");

        CreateVolumeFromImageResult result = await _harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(_harness.Driver.Calls.Where(c => c.SourceVolumeId == "victims-volume"), Is.Empty);
        Assert.That(_harness.Logs(1063), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Image_without_an_owner_is_not_cloned_from_an_image_volume()
    {
        AddImage(["cinder://image-volume-1"], owner: null);
        SeedImageVolume("image-volume-1", string.Empty);

        CreateVolumeFromImageResult result = await _harness.CreateAsync("img");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
    }

    [TestCase("qcow2", null)]
    [TestCase("raw", "ovf")]
    [TestCase("vmdk", "bare")]
    public async Task Image_that_is_not_raw_and_bare_is_not_cloned_from_an_image_volume(string diskFormat, string? containerFormat)
    {
        AddImage(["cinder://image-volume-1"]);
        _harness.Images.Update("img", i => i with { DiskFormat = diskFormat, ContainerFormat = containerFormat });
        SeedImageVolume("image-volume-1", Owner);

        try
        {
            await _harness.CreateAsync("img");
        }
        catch (ImageUnacceptableException) when (diskFormat != "raw")
        {
            // The test image's bytes are raw: claimed as qcow2 or VMDK, they are refused after the clone was passed over.
        }

        Assert.That(_harness.Driver.Calls.Where(c => c.SourceVolumeId == "image-volume-1"), Is.Empty);
    }

    [Test]
    public async Task Malformed_locations_are_skipped_without_an_attempt_and_a_good_one_after_them_is_used()
    {
        string[] malformed =
        [
            "cinder://a/b/image-volume-1", "cinder://image-volume-1/", "cinder://image-volume-1?x=1", "cinder://image-volume-1#f",
            "cinder://", "cinder:///image-volume-1", "cinder://store//image-volume-1", "cinder://image volume", "cinder://..", "",
            "cinder://image-volume-1/../x", "CINDER://store/", "cinder:image-volume-1",
        ];
        AddImage([.. malformed, null!, "cinder://store/image-volume-2"]);
        SeedImageVolume("image-volume-1", Owner);
        SeedImageVolume("image-volume-2", Owner);

        CreateVolumeFromImageResult result = await _harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.ImageVolumeClone));
        Assert.That(_harness.Driver.GetVolume("v1").ClonedFromVolumeId, Is.EqualTo("image-volume-2"));
        Assert.That(_harness.Driver.Calls.Where(c => c.VolumeId == "image-volume-1" || c.SourceVolumeId == "image-volume-1"), Is.Empty);
    }

    [Test]
    public async Task Image_volume_that_cannot_be_cloned_falls_through_to_the_cache_and_leaves_nothing()
    {
        AddImage(["cinder://store/image-volume-1"]);
        SeedImageVolume("image-volume-1", Owner);
        _harness.Driver.Fault = call => call.Operation == DriverOperation.Clone && call.SourceVolumeId == "image-volume-1" ? new IOException("elsewhere") : null;

        CreateVolumeFromImageResult result = await _harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(_harness.Driver.Calls.Count(c => c.SourceVolumeId == "image-volume-1"), Is.EqualTo(1));
        Assert.That(_harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EquivalentTo(new[] { "image-volume-1", "v1", result.CacheEntry!.VolumeId }));
    }

    [Test]
    public async Task Image_volume_missing_from_the_backend_falls_through_to_the_cache()
    {
        AddImage(["cinder://store/missing-volume"]);

        CreateVolumeFromImageResult result = await _harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(_harness.Driver.Calls.Where(c => c.SourceVolumeId == "missing-volume"), Is.Empty);
    }

    private void AddImage(string[] locations, string? owner = Owner)
    {
        _harness.AddImage("img");
        _harness.Images.Update("img", i => i with { Locations = locations, Owner = owner });
    }

    private void SeedImageVolume(string id, string project) =>
        _harness.Driver.Seed(new VolumeSpec(id, CacheHarness.Backend, 1) { ProjectId = project, UserId = "u" }, [1, 2, 3]);
}
