namespace ImageVolumeCache.Tests.Storage;

public sealed class CacheCoordinationContractCoverageTests : CacheCoordinationContractGuard;
