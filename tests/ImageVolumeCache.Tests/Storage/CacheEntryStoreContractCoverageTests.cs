namespace ImageVolumeCache.Tests.Storage;

public sealed class CacheEntryStoreContractCoverageTests : CacheEntryStoreContractGuard;
