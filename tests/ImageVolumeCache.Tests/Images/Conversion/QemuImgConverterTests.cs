using System.Text;
using ImageVolumeCache.Images.Conversion;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Tests.Images.Conversion;

/// <summary>
/// qemu-img as the converter runs it, on images the inspector would refuse, to show the second wall: the source is given
/// with its driver and <c>"backing": null</c>, so no backing or parent disk is opened, whatever the header names.
/// </summary>
public sealed class QemuImgConverterTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("HOST-FILE-3b9e-never-read;");

    [TestCase("qcow2", DiskImageFormat.Qcow2)]
    [TestCase("vmdk", DiskImageFormat.Vmdk)]
    public async Task A_backing_file_named_in_the_header_is_not_opened(string qemuFormat, DiskImageFormat format)
    {
        using var workshop = new DiskImageWorkshop();
        string hostFile = workshop.Path("host-file.raw");
        await File.WriteAllBytesAsync(hostFile, [.. Enumerable.Repeat(Secret, (1 << 20) / Secret.Length).SelectMany(b => b)]);
        string backing = hostFile;
        string backingFormat = "raw";
        if (format == DiskImageFormat.Vmdk)
        {
            backing = workshop.Path("parent.vmdk");
            await File.WriteAllTextAsync(backing, $"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\nRW 2048 FLAT \"{hostFile}\" 0\n");
            backingFormat = "vmdk";
        }

        string image = workshop.Create(qemuFormat, "image." + qemuFormat, "1M", "-b", backing, "-F", backingFormat);
        string plain = workshop.Path("plain.raw");
        DiskImageWorkshop.Run("qemu-img", ["convert", "-q", "-f", qemuFormat, "-O", "raw", image, plain]);
        Assert.That((await File.ReadAllBytesAsync(plain)).AsSpan().IndexOf(Secret), Is.Not.Negative, "qemu-img, left to itself, reads the host file");
        await using ServiceProvider services = BuildServices();
        string converted = workshop.Path("converted.raw");

        await services.GetRequiredService<QemuImgConverter>().ConvertAsync("img", image, format, converted, intoExisting: false, progress: null, CancellationToken.None);

        byte[] data = await File.ReadAllBytesAsync(converted);
        Assert.That(data, Has.Length.EqualTo(1 << 20));
        Assert.That(data.Any(b => b != 0), Is.False, "the converter read nothing of the host file: the disk is all zeros");
    }

    [Test]
    public void The_source_is_a_json_specification_naming_the_driver_the_file_and_no_backing()
    {
        string specification = QemuImgConverter.SourceSpecification("/scratch/a \"quoted\" folder/image", DiskImageFormat.Vhd);

        Assert.That(specification, Is.EqualTo("""json:{"driver":"vpc","backing":null,"file":{"driver":"file","filename":"/scratch/a \u0022quoted\u0022 folder/image"}}"""));
    }

    [Test]
    public async Task Asked_for_progress_the_conversion_reports_qemu_imgs_percentages_in_order_up_to_100()
    {
        using var workshop = new DiskImageWorkshop();
        string raw = workshop.Path("data.raw");
        await File.WriteAllBytesAsync(raw, [.. Enumerable.Range(0, 4 << 20).Select(i => (byte)(i % 251 + 1))]);
        string image = workshop.Path("image.qcow2");
        DiskImageWorkshop.Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, image]);
        await using ServiceProvider services = BuildServices();
        var percentages = new List<double>();

        await services.GetRequiredService<QemuImgConverter>().ConvertAsync(
            "img", image, DiskImageFormat.Qcow2, workshop.Path("converted.raw"), intoExisting: false, p => percentages.Add(p), CancellationToken.None);

        Assert.That(percentages, Is.Not.Empty.And.Ordered.Ascending);
        Assert.That(percentages[^1], Is.EqualTo(100));
        Assert.That(await File.ReadAllBytesAsync(workshop.Path("converted.raw")), Is.EqualTo(await File.ReadAllBytesAsync(raw)));
    }

    [TestCase("    (12.50/100%)", 12.5)]
    [TestCase("(0.00/100%)", 0)]
    [TestCase("    (100.00/100%)", 100)]
    [TestCase("    (1.00/100%)    (37.25/100%)", 37.25)]
    public void A_progress_line_gives_its_percentage(string line, double expected)
    {
        Assert.That(QemuImgConverter.TryParseProgress(line, out double percent), Is.True);
        Assert.That(percent, Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("qemu-img: warning: something else")]
    [TestCase("    (12.5")]
    [TestCase("    (abc/100%)")]
    [TestCase("    (-3.00/100%)")]
    [TestCase("    (150.00/100%)")]
    [TestCase("    (1e2/100%)")]
    public void Any_other_line_gives_no_percentage(string? line)
    {
        Assert.That(QemuImgConverter.TryParseProgress(line, out _), Is.False);
    }

    private static ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(_ => { });
        return services.BuildServiceProvider();
    }
}
