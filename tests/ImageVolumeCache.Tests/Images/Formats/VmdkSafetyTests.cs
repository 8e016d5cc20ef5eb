namespace ImageVolumeCache.Tests.Images.Formats;

/// <summary>VMDK images that would make qemu-img read other files, or that can be read two ways, are refused.</summary>
public sealed class VmdkSafetyTests : DiskImageTestBase
{
    [Test]
    public void Descriptor_file_naming_a_host_file_as_a_flat_extent_is_refused()
    {
        string hostFile = Workshop.Create("raw", "host-file.raw", "1M");
        string path = Workshop.Path("hostile.vmdk");
        File.WriteAllText(path, $"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\nRW 2048 FLAT \"{hostFile}\" 0\n");
        Assert.That(DiskImageWorkshop.QemuVirtualSize(path, "vmdk"), Is.Positive, "qemu-img opens the hostile descriptor");

        AssertRefused(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public void Descriptor_file_naming_a_sparse_extent_beside_it_is_refused()
    {
        Workshop.Create("vmdk", "data.vmdk", "1M", "-o", "subformat=monolithicSparse");
        string path = Workshop.Path("hostile.vmdk");
        File.WriteAllText(path, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicSparse\"\n\nRW 2048 SPARSE \"data.vmdk\"\n");

        AssertRefused(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public void Descriptor_file_without_its_comment_line_claimed_as_raw_is_refused_as_a_vmdk()
    {
        string hostFile = Workshop.Create("raw", "host-file.raw", "1M");
        string path = Workshop.Path("hostile.img");
        File.WriteAllText(path, $"\nversion=1\ncreateType=\"monolithicFlat\"\nRW 2048 FLAT \"{hostFile}\" 0\n");
        Assert.That(DiskImageWorkshop.QemuVirtualSizeOf(path), Is.Positive, "qemu-img probes it as a VMDK");

        AssertRefused(path, "raw", "format mismatch");
    }

    [Test]
    public void Sparse_image_whose_embedded_descriptor_names_a_host_file_is_refused()
    {
        string hostFile = Workshop.Create("raw", "host-file.raw", "1M");
        string path = Workshop.Create("vmdk", "hostile.vmdk", "1M", "-o", "subformat=monolithicSparse");
        DiskImageWorkshop.WriteVmdkDescriptor(path, "monolithicSparse", $"RW 2048 FLAT \"{hostFile}\" 0");

        AssertRefused(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public void Sparse_image_with_a_parent_disk_is_refused()
    {
        string hostFile = Workshop.Create("raw", "host-file.raw", "1M");
        string parent = Workshop.Path("parent.vmdk");
        File.WriteAllText(parent, $"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\nRW 2048 FLAT \"{hostFile}\" 0\n");
        string path = Workshop.Create("vmdk", "child.vmdk", "1M", "-o", "subformat=monolithicSparse", "-b", parent, "-F", "vmdk");

        AssertRefused(path, "vmdk", "VMDK parent disk");
    }

    [Test]
    public void Sparse_image_whose_descriptor_mentions_a_parent_hint_even_in_a_comment_is_refused()
    {
        string path = Workshop.Create("vmdk", "hostile.vmdk", "1M", "-o", "subformat=monolithicSparse");
        DiskImageWorkshop.WriteVmdkDescriptor(path, "monolithicSparse", "RW 2048 SPARSE \"hostile.vmdk\"\n# parentFileNameHint=\"/etc/shadow\"");

        AssertRefused(path, "vmdk", "VMDK parent disk");
    }

    [Test]
    public void Sparse_image_whose_header_has_no_capacity_is_refused_as_its_extent_would_be_looked_up_beside_it()
    {
        string path = Workshop.Create("vmdk", "hostile.vmdk", "1M", "-o", "subformat=monolithicSparse");
        DiskImageWorkshop.Patch(path, 12, BitConverter.GetBytes(0UL));

        AssertRefused(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public void Sparse_image_whose_sparse_extent_is_in_another_folder_is_refused()
    {
        string path = Workshop.Create("vmdk", "hostile.vmdk", "1M", "-o", "subformat=monolithicSparse");
        DiskImageWorkshop.WriteVmdkDescriptor(path, "monolithicSparse", "RW 2048 SPARSE \"../other/disk.vmdk\"");

        AssertRefused(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public void Sparse_image_whose_create_type_is_not_monolithic_is_refused()
    {
        string path = Workshop.Create("vmdk", "hostile.vmdk", "1M", "-o", "subformat=monolithicSparse");
        DiskImageWorkshop.WriteVmdkDescriptor(path, "twoGbMaxExtentSparse", "RW 2048 SPARSE \"hostile.vmdk\"");

        AssertRefused(path, "vmdk", "VMDK create type");
    }

    [Test]
    public async Task Stream_optimized_image_with_a_footer_that_agrees_with_its_header_is_accepted()
    {
        string path = Workshop.Create("vmdk", "stream.vmdk", "1M", "-o", "subformat=streamOptimized");
        DiskImageWorkshop.MoveVmdkGrainDirectoryToFooter(path, footerCapacitySectors: null);

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path, "vmdk");

        Assert.That(inspection.VirtualSize, Is.EqualTo(1024 * 1024).And.EqualTo(DiskImageWorkshop.QemuVirtualSize(path, "vmdk")));
    }

    [Test]
    public void Stream_optimized_image_whose_footer_disagrees_with_its_header_is_refused()
    {
        string path = Workshop.Create("vmdk", "stream.vmdk", "1M", "-o", "subformat=streamOptimized");
        DiskImageWorkshop.MoveVmdkGrainDirectoryToFooter(path, footerCapacitySectors: 1024 * 1024);
        Assert.That(DiskImageWorkshop.QemuVirtualSize(path, "vmdk"), Is.EqualTo(512L * 1024 * 1024), "qemu-img takes the footer's capacity");

        AssertRefused(path, "vmdk", "VMDK footer");
    }

    [Test]
    public void Stream_optimized_image_whose_header_defers_to_a_missing_footer_is_refused()
    {
        string path = Workshop.Create("vmdk", "stream.vmdk", "1M", "-o", "subformat=streamOptimized");
        DiskImageWorkshop.Patch(path, 56, BitConverter.GetBytes(ulong.MaxValue));

        AssertRefused(path, "vmdk", "VMDK footer");
    }
}
