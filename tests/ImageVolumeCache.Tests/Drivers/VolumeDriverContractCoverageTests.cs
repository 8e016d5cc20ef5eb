namespace ImageVolumeCache.Tests.Drivers;

/// <summary>The drivers of the core's test doubles (ImageVolumeCache.Testing, which has no test project of its own) have their contract fixtures here.</summary>
public sealed class VolumeDriverContractCoverageTests : VolumeDriverContractGuard
{
    protected override IReadOnlyCollection<string> PackagesUnderTest => ["ImageVolumeCache", "ImageVolumeCache.Testing"];
}
