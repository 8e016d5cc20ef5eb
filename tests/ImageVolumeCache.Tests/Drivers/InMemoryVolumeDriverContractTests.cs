using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Drivers;

public sealed class InMemoryVolumeDriverContractTests : VolumeDriverContractTests<InMemoryVolumeDriver>
{
    protected override InMemoryVolumeDriver CreateDriver() => new();

    protected override ValueTask<byte[]> ReadVolumeAsync(InMemoryVolumeDriver driver, string volumeId, int length) =>
        ValueTask.FromResult(driver.GetVolume(volumeId).Data.Concat(new byte[length]).Take(length).ToArray());

    protected override ValueTask<ImageInfo?> DirectlyClonableImageAsync(InMemoryVolumeDriver driver, byte[] data)
    {
        driver.CanCloneImage = image => image.Id == "direct-image";
        return ValueTask.FromResult<ImageInfo?>(new ImageInfo("direct-image", data.Length, DateTimeOffset.UnixEpoch));
    }
}
