namespace ImageVolumeCache.Tests.Images.Formats;

/// <summary>Each format qemu-img makes is detected, with the virtual size qemu-img itself reports.</summary>
public sealed class DiskImageDetectionTests : DiskImageTestBase
{
    [TestCase("qcow2", "compat=0.10", DiskImageFormat.Qcow2)]
    [TestCase("qcow2", "compat=1.1", DiskImageFormat.Qcow2)]
    [TestCase("vmdk", "subformat=monolithicSparse", DiskImageFormat.Vmdk)]
    [TestCase("vmdk", "subformat=streamOptimized", DiskImageFormat.Vmdk)]
    [TestCase("vpc", "subformat=dynamic", DiskImageFormat.Vhd)]
    [TestCase("vpc", "subformat=fixed", DiskImageFormat.Vhd)]
    [TestCase("vhdx", "subformat=dynamic", DiskImageFormat.Vhdx)]
    [TestCase("vdi", "static=off", DiskImageFormat.Vdi)]
    [TestCase("raw", "preallocation=off", DiskImageFormat.Raw)]
    public async Task Image_made_by_qemu_img_is_detected_with_the_virtual_size_qemu_img_reports(string qemuFormat, string option, DiskImageFormat expected)
    {
        string path = Workshop.Create(qemuFormat, "image." + qemuFormat, "64M", "-o", option);

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path);

        Assert.That(inspection.Format, Is.EqualTo(expected));
        Assert.That(inspection.VirtualSize, Is.EqualTo(DiskImageWorkshop.QemuVirtualSize(path, qemuFormat)));
    }

    [TestCase("qcow2", "qcow2", DiskImageFormat.Qcow2)]
    [TestCase("vmdk", "vmdk", DiskImageFormat.Vmdk)]
    [TestCase("vpc", "vhd", DiskImageFormat.Vhd)]
    [TestCase("vpc", "vpc", DiskImageFormat.Vhd)]
    [TestCase("vhdx", "vhdx", DiskImageFormat.Vhdx)]
    [TestCase("vdi", "vdi", DiskImageFormat.Vdi)]
    [TestCase("raw", "raw", DiskImageFormat.Raw)]
    public async Task Image_that_is_the_format_it_claims_is_accepted(string qemuFormat, string claimed, DiskImageFormat expected)
    {
        string path = Workshop.Create(qemuFormat, "image." + qemuFormat, "16M");

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path, claimed);

        Assert.That(inspection.Format, Is.EqualTo(expected));
    }

    [Test]
    public async Task Vhd_of_odd_size_reports_the_size_rounded_to_its_geometry_as_qemu_img_does()
    {
        string path = Workshop.Create("vpc", "odd.vhd", "1000M");

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path);

        Assert.That(inspection.VirtualSize, Is.EqualTo(DiskImageWorkshop.QemuVirtualSize(path, "vpc")));
        Assert.That(inspection.VirtualSize, Is.Not.EqualTo(1000L * 1024 * 1024));
    }

    [Test]
    public async Task Luks_volume_is_detected_with_its_payload_size()
    {
        string path = Workshop.CreateLuks("image.luks", "64M", secret: "x");

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path, "luks");

        Assert.That(inspection.Format, Is.EqualTo(DiskImageFormat.Luks));
        Assert.That(
            inspection.VirtualSize,
            Is.EqualTo(DiskImageWorkshop.QemuVirtualSizeOf("--object", "secret,id=s,data=x", "--image-opts", $"driver=luks,key-secret=s,file.filename={path}")));
    }

    [Test]
    public async Task Iso_made_by_genisoimage_is_detected_with_its_length()
    {
        string path = Workshop.MakeIso("image.iso");

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path, "iso");

        Assert.That(inspection.Format, Is.EqualTo(DiskImageFormat.Iso));
        Assert.That(inspection.VirtualSize, Is.EqualTo(new FileInfo(path).Length).And.EqualTo(DiskImageWorkshop.QemuVirtualSize(path, "raw")));
    }

    [Test]
    public async Task Iso_claimed_as_raw_is_accepted_as_an_iso()
    {
        string path = Workshop.MakeIso("image.iso");

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path, "raw");

        Assert.That(inspection.Format, Is.EqualTo(DiskImageFormat.Iso));
    }

    [Test]
    public async Task Raw_disk_with_a_partition_table_is_raw()
    {
        string path = Workshop.Create("raw", "disk.raw", "8M");
        DiskImageWorkshop.Patch(path, 510, [0x55, 0xAA]);
        DiskImageWorkshop.Patch(path, 512, "EFI PART"u8);

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path, "raw");

        Assert.That(inspection, Is.EqualTo(new DiskImageInspection(DiskImageFormat.Raw, 8L * 1024 * 1024)));
    }

    [Test]
    public async Task Inspection_leaves_the_stream_where_it_was()
    {
        string path = Workshop.Create("qcow2", "image.qcow2", "16M");
        await using FileStream stream = File.OpenRead(path);
        stream.Position = 7;

        await DiskImageInspector.InspectAsync("img", stream, null, CancellationToken.None);

        Assert.That(stream.Position, Is.EqualTo(7));
    }
}
