namespace ImageVolumeCache.Tests.Images.Formats;

/// <summary>A fresh <see cref="DiskImageWorkshop"/> per test, and the check that an image is refused by a named rule.</summary>
public abstract class DiskImageTestBase
{
    // Null when qemu-img is missing: the set-up ignored (or failed) the test before making one.
    private DiskImageWorkshop? _workshop;

    internal DiskImageWorkshop Workshop => _workshop ?? throw new InvalidOperationException("No workshop outside a test.");

    [SetUp]
    public void CreateWorkshop() => _workshop = new DiskImageWorkshop();

    [TearDown]
    public void DisposeWorkshop()
    {
        _workshop?.Dispose();
        _workshop = null;
    }

    /// <summary>Asserts that inspecting the image at <paramref name="path"/> (claiming <paramref name="claimed"/>) is refused by <paramref name="rule"/>.</summary>
    protected static void AssertRefused(string path, string? claimed, string rule)
    {
        var refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await DiskImageWorkshop.InspectAsync(path, claimed));

        Assert.That(refusal!.Message, Does.Contain($"({rule})"));
        Assert.That(refusal.ImageId, Is.EqualTo("img"));
    }
}
