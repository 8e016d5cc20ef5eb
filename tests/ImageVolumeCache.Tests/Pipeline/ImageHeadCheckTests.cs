using System.Buffers.Binary;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>
/// An image copied as it is (raw, ISO) has its first bytes checked before its volume is made: another format's header
/// there is refused without a single volume created, on every path that downloads.
/// </summary>
public sealed class ImageHeadCheckTests : HarnessTestBase
{
    [TestCase(false)]
    [TestCase(true)]
    public void A_qcow2_header_in_an_image_claimed_as_raw_is_refused_before_any_volume_is_created(bool encrypted)
    {
        byte[] data = new byte[100_000];
        byte[] magic = [(byte)'Q', (byte)'F', (byte)'I', 0xFB];
        magic.CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), 3);
        Harness.Images.Add("img", data);

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await Harness.CreateAsync("img", encrypted: encrypted));

        Assert.That(refusal!.Message, Does.Contain("(format mismatch)").And.Contain("raw").And.Contain("qcow2"));
        Assert.That(Harness.Driver.Calls.Where(c => c.Operation == DriverOperation.Create), Is.Empty, "no volume was ever created");
        Assert.That(Harness.Driver.Volumes, Is.Empty);
    }

    [Test]
    public async Task A_raw_image_shorter_than_the_checked_head_is_copied_whole()
    {
        byte[] data = [.. Enumerable.Range(0, 1000).Select(i => (byte)i)];
        Harness.Images.Add("img", data);

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img");

        Assert.That(Harness.Driver.GetVolume(result.CacheEntry!.VolumeId).Data, Is.EqualTo(data));
    }

    [Test]
    public async Task A_raw_image_longer_than_the_checked_head_is_copied_whole()
    {
        byte[] data = [.. Enumerable.Range(0, 200_003).Select(i => (byte)(i * 13))];
        Harness.Images.Add("img", data);

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img");

        Assert.That(Harness.Driver.GetVolume(result.CacheEntry!.VolumeId).Data, Is.EqualTo(data));
    }
}
