namespace ImageVolumeCache.Tests.Images;

/// <summary>The smallest volume an image needs, rounded up to whole GB, for every size an image service may claim.</summary>
public sealed class ImageInfoSizeTests
{
    private const long GiB = 1L << 30;

    [TestCase(0L, 1)]
    [TestCase(-5L, 1)]
    [TestCase(1L, 1)]
    [TestCase(GiB, 1)]
    [TestCase(GiB + 1, 2)]
    [TestCase(long.MaxValue, int.MaxValue)]
    [TestCase(long.MaxValue - 1, int.MaxValue)]
    public void The_minimum_size_rounds_up_and_never_wraps_round(long virtualSize, int expectedGb)
    {
        var image = new ImageInfo("img", 1, DateTimeOffset.UnixEpoch) { VirtualSizeBytes = virtualSize };

        Assert.That(image.MinimumSizeGb, Is.EqualTo(expectedGb));
    }

    [Test]
    public void A_raw_image_claiming_the_largest_virtual_size_is_refused_for_a_small_volume()
    {
        using var harness = new CacheHarness();
        harness.AddImage("img", virtualSizeBytes: long.MaxValue);

        Assert.ThrowsAsync<ImageUnacceptableException>(async () => await harness.CreateAsync("img"));
        Assert.That(harness.Driver.Volumes, Is.Empty);
    }
}
