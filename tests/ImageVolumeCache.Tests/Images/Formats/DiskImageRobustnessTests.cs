namespace ImageVolumeCache.Tests.Images.Formats;

/// <summary>Damaged headers never escape as anything but a refusal: an inspector that crashes on a crafted header is an attack surface.</summary>
public sealed class DiskImageRobustnessTests : DiskImageTestBase
{
    [TestCase("qcow2", "compat=1.1")]
    [TestCase("vmdk", "subformat=monolithicSparse")]
    [TestCase("vmdk", "subformat=streamOptimized")]
    [TestCase("vpc", "subformat=dynamic")]
    [TestCase("vhdx", "subformat=dynamic")]
    [TestCase("vdi", "static=off")]
    public async Task Image_with_random_bytes_overwritten_is_inspected_or_refused(string qemuFormat, string option)
    {
        byte[] original = File.ReadAllBytes(Workshop.Create(qemuFormat, "image." + qemuFormat, "1M", "-o", option));
        var random = new Random(17);
        var unexpected = new List<string>();

        // Where the headers are: the first sector, the first pages, the footers at the end, the VHDX region table.
        (int Start, int Length)[] hot = [(0, 512), (0, 4096), (original.Length - 1536, 1536), (192 * 1024, 4096), (0, original.Length)];
        for (int round = 0; round < 500; round++)
        {
            byte[] damaged = [.. original];
            for (int i = 0; i < 4; i++)
            {
                (int start, int length) = hot[random.Next(hot.Length)];
                int offset = Math.Clamp(start + random.Next(length), 0, damaged.Length - 1);
                damaged[offset] = (byte)random.Next(256);
            }

            if (round % 10 == 0)
            {
                damaged = damaged[..random.Next(damaged.Length)];
            }

            try
            {
                using var stream = new MemoryStream(damaged, writable: false);
                await DiskImageInspector.InspectAsync("img", stream, null, CancellationToken.None);
            }
            catch (ImageUnacceptableException)
            {
                // A refusal is a fine answer to a damaged header.
            }
            catch (Exception e)
            {
                unexpected.Add($"round {round}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.That(unexpected, Is.Empty);
    }
}
