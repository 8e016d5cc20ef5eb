namespace ImageVolumeCache.PostgreSql.Tests.Storage;

public sealed class CacheEntryStoreContractCoverageTests : CacheEntryStoreContractGuard;
