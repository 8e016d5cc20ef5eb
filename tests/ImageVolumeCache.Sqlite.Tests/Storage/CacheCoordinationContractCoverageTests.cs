namespace ImageVolumeCache.Sqlite.Tests.Storage;

public sealed class CacheCoordinationContractCoverageTests : CacheCoordinationContractGuard;
