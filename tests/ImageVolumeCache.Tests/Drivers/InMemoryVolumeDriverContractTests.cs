using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Drivers;

public sealed class InMemoryVolumeDriverContractTests : VolumeDriverContractTests<InMemoryVolumeDriver>
{
    protected override InMemoryVolumeDriver CreateDriver() => new();

    protected override ValueTask<byte[]> ReadVolumeAsync(InMemoryVolumeDriver driver, string volumeId, int length) =>
        ValueTask.FromResult(driver.GetVolume(volumeId).Data.Concat(new byte[length]).Take(length).ToArray());
}
