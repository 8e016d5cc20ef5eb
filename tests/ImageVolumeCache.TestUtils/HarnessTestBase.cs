namespace ImageVolumeCache.TestUtils;

/// <summary>Gives each test a fresh <see cref="CacheHarness"/> with default options, disposed after the test.</summary>
public abstract class HarnessTestBase
{
    protected CacheHarness Harness { get; private set; } = null!;

    [SetUp]
    public void CreateHarness() => Harness = new CacheHarness();

    [TearDown]
    public void DisposeHarness() => Harness.Dispose();
}
