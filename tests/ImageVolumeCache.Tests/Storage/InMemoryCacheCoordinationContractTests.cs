using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Storage;

public sealed class InMemoryCacheCoordinationContractTests : CacheCoordinationContractTests<InMemoryCacheEntryStore>
{
    protected override InMemoryCacheEntryStore CreateCoordination() => new();
}
