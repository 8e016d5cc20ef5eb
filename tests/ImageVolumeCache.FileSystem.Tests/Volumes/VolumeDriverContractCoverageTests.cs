namespace ImageVolumeCache.FileSystem.Tests.Volumes;

public sealed class VolumeDriverContractCoverageTests : VolumeDriverContractGuard;
