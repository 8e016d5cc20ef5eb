namespace ImageVolumeCache.Tests.Images.Formats;

/// <summary>A fresh <see cref="DiskImageWorkshop"/> per test, and the check that an image is refused by a named rule.</summary>
public abstract class DiskImageTestBase
{
    internal DiskImageWorkshop Workshop { get; private set; } = null!;

    [SetUp]
    public void CreateWorkshop() => Workshop = new DiskImageWorkshop();

    [TearDown]
    public void DisposeWorkshop() => Workshop.Dispose();

    /// <summary>Asserts that inspecting the image at <paramref name="path"/> (claiming <paramref name="claimed"/>) is refused by <paramref name="rule"/>.</summary>
    protected static void AssertRefused(string path, string? claimed, string rule)
    {
        var refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await DiskImageWorkshop.InspectAsync(path, claimed));

        Assert.That(refusal!.Message, Does.Contain($"({rule})"));
        Assert.That(refusal.ImageId, Is.EqualTo("img"));
    }
}
