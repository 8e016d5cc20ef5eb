using System.Globalization;

namespace ImageVolumeCache.Sample.Tests;

// The sample with --image in a format that is converted (qcow2, made at test time with qemu-img), and with images it must refuse.
public sealed partial class SampleRunnerTests
{
    [Test]
    public async Task A_qcow2_image_is_detected_and_converted_and_the_volumes_hold_its_data()
    {
        using var data = new TemporaryDirectory();
        using var work = new TemporaryDirectory();
        string image = QemuImg.MakeQcow2(work.Path, "disk");

        (int exitCode, string text) = await RunAsync(data.Path, "--image", image, "--keep-volumes", "true");

        Assert.That(exitCode, Is.EqualTo(0), text);
        Assert.That(Paths(text), Is.EqualTo(new[] { "CacheMissCreated", "CacheHit", "CacheHit" }), text);
        Assert.That(
            text,
            Does.Contain("qcow2, virtual size 64 MiB (" + QemuImg.VirtualSize.ToString(CultureInfo.InvariantCulture) + " bytes)")
                .And.Contain("conversion    download to scratch").And.Contain("qemu-img convert"),
            text);
        foreach (string volume in new[] { "vol-1", "vol-2", "vol-3" })
        {
            // The volumes are larger (whole GB) than the image's virtual size; compare checks that the rest reads as zeros.
            QemuImg.Run("compare", "-q", "-f", "raw", "-F", "qcow2", Path.Combine(data.Path, "volumes", volume + ".img"), image);
        }
    }

    [Test]
    public async Task A_qcow2_image_with_a_backing_file_is_refused_and_no_volume_is_made()
    {
        using var data = new TemporaryDirectory();
        using var work = new TemporaryDirectory();
        string backing = work.Combine("known-file.raw");
        File.WriteAllBytes(backing, new byte[1 << 20]);
        string hostile = work.Combine("hostile.qcow2");
        QemuImg.Run("create", "-q", "-f", "qcow2", "-b", backing, "-F", "raw", hostile, "64M");

        (int exitCode, string text) = await RunAsync(data.Path, "--image", hostile);

        Assert.That(exitCode, Is.Not.EqualTo(0), text);
        Assert.That(text, Does.Contain("backing file").And.Not.Contain("   at "), "the refusal's message, without a stack trace");
        Assert.That(Directory.EnumerateFileSystemEntries(Path.Combine(data.Path, "volumes")), Is.Empty, text);
    }

    [Test]
    public async Task A_qcow2_image_claimed_as_raw_is_refused_for_the_format_mismatch_and_no_volume_is_made()
    {
        using var data = new TemporaryDirectory();
        using var work = new TemporaryDirectory();
        string image = QemuImg.MakeQcow2(work.Path, "disk");

        (int exitCode, string text) = await RunAsync(data.Path, "--image", image, "--disk-format", "raw");

        Assert.That(exitCode, Is.Not.EqualTo(0), text);
        Assert.That(text, Does.Contain("format mismatch").And.Contain("disk_format raw, but its bytes are qcow2").And.Not.Contain("   at "));
        Assert.That(Directory.EnumerateFileSystemEntries(Path.Combine(data.Path, "volumes")), Is.Empty, text);
    }

    [Test]
    public async Task The_sample_refuses_a_disk_format_it_does_not_know()
    {
        using var data = new TemporaryDirectory();

        (int exitCode, string text) = await RunAsync(data.Path, "--disk-format", "luks");

        Assert.That(exitCode, Is.EqualTo(2), text);
        Assert.That(text, Does.Contain("--disk-format").And.Contain("qcow2"));
        Assert.That(Directory.Exists(Path.Combine(data.Path, "volumes")), Is.False, "nothing is made before the options are checked");
    }
}
