namespace ImageVolumeCache.PostgreSql.Tests.Storage;

public sealed class CacheCoordinationContractCoverageTests : CacheCoordinationContractGuard;
