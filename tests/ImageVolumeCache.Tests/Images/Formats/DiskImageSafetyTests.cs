namespace ImageVolumeCache.Tests.Images.Formats;

/// <summary>Hostile images that qemu-img makes or opens without complaint are refused, each by its rule.</summary>
public sealed class DiskImageSafetyTests : DiskImageTestBase
{
    [Test]
    public void Qcow2_with_a_backing_file_is_refused()
    {
        string backing = Workshop.Create("raw", "host-file.raw", "1M");
        string path = Workshop.Create("qcow2", "hostile.qcow2", "1M", "-b", backing, "-F", "raw");

        AssertRefused(path, null, "qcow2 backing file");
    }

    [Test]
    public void Qcow2_with_an_external_data_file_is_refused()
    {
        string path = Workshop.Create("qcow2", "hostile.qcow2", "1M", "-o", $"data_file={Workshop.Path("host-file.raw")}");

        AssertRefused(path, null, "qcow2 external data file");
    }

    [Test]
    public void Qcow2_with_an_unknown_incompatible_feature_is_refused()
    {
        string path = Workshop.Create("qcow2", "hostile.qcow2", "1M");
        DiskImageWorkshop.Patch(path, 72 + 6, [0x04, 0x00]);

        AssertRefused(path, null, "qcow2 unknown incompatible feature");
    }

    [Test]
    public void Qcow2_claimed_as_raw_is_refused()
    {
        string path = Workshop.Create("qcow2", "image.qcow2", "1M");

        AssertRefused(path, "raw", "format mismatch");
    }

    [Test]
    public void Raw_bytes_claimed_as_qcow2_are_refused()
    {
        string path = Workshop.Create("raw", "image.raw", "1M");

        AssertRefused(path, "qcow2", "format mismatch");
    }

    [Test]
    public void Iso_with_a_qcow2_header_in_its_system_area_is_refused()
    {
        string iso = Workshop.MakeIso("hostile.iso");
        string qcow2 = Workshop.Create("qcow2", "header.qcow2", "1M");
        DiskImageWorkshop.Patch(iso, 0, File.ReadAllBytes(qcow2).AsSpan(0, 512));

        AssertRefused(iso, "iso", "ISO with another format's header");
    }

    [Test]
    public void Qed_image_is_refused()
    {
        string path = Workshop.Create("qed", "image.qed", "1M");

        AssertRefused(path, null, "QED image");
    }

    [Test]
    public void Qcow_version_1_is_refused_as_an_unknown_format()
    {
        string path = Workshop.Create("qcow", "image.qcow", "1M");

        AssertRefused(path, null, "unknown format");
    }

    [Test]
    public void Claimed_disk_format_this_library_does_not_know_is_refused()
    {
        string path = Workshop.Create("raw", "image.raw", "1M");

        AssertRefused(path, "ploop", "unknown format");
    }

    [Test]
    public void Vhd_differencing_disk_is_refused()
    {
        string path = Workshop.Create("vpc", "image.vhd", "1M", "-o", "subformat=fixed");
        DiskImageWorkshop.Patch(path, -512 + 60, [0, 0, 0, 4]);

        AssertRefused(path, null, "VHD differencing disk");
    }

    [Test]
    public void Vdi_differencing_image_is_refused()
    {
        string path = Workshop.Create("vdi", "image.vdi", "1M");
        DiskImageWorkshop.Patch(path, 0x4C, [4, 0, 0, 0]);

        AssertRefused(path, null, "VDI differencing image");
    }

    [Test]
    public void Stream_that_cannot_seek_is_rejected_as_an_argument()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);

        Assert.ThrowsAsync<ArgumentException>(async () => await DiskImageInspector.InspectAsync("img", pipe, null, CancellationToken.None));
    }

    [Test]
    public void Dynamic_vhd_whose_two_footer_copies_differ_is_refused()
    {
        string path = Workshop.Create("vpc", "image.vhd", "1G");
        DiskImageWorkshop.Patch(path, -512 + 56, [0, 16, 4, 17]); // a smaller geometry in the footer at the end only
        Assert.That(DiskImageWorkshop.QemuVirtualSize(path, "vpc"), Is.GreaterThan(1_000_000_000L), "qemu-img sizes it by the copy at the start");

        AssertRefused(path, "vhd", "VHD footer");
    }
}
