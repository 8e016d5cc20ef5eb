namespace ImageVolumeCache.Sqlite.Tests.Storage;

public sealed class CacheEntryStoreContractCoverageTests : CacheEntryStoreContractGuard;
