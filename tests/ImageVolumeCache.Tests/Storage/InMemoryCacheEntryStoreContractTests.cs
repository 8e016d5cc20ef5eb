using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Storage;

public sealed class InMemoryCacheEntryStoreContractTests : CacheEntryStoreContractTests<InMemoryCacheEntryStore>
{
    protected override InMemoryCacheEntryStore CreateStore() => new();
}
