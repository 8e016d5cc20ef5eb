using System.Buffers.Binary;
using System.Text;

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
        WriteDescriptor(path, "monolithicSparse", $"RW 2048 FLAT \"{hostFile}\" 0");

        AssertRefused(path, "vmdk", "VMDK extent outside the image");
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
        WriteDescriptor(path, "monolithicSparse", "RW 2048 SPARSE \"../other/disk.vmdk\"");

        AssertRefused(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public void Sparse_image_whose_create_type_is_not_monolithic_is_refused()
    {
        string path = Workshop.Create("vmdk", "hostile.vmdk", "1M", "-o", "subformat=monolithicSparse");
        WriteDescriptor(path, "twoGbMaxExtentSparse", "RW 2048 SPARSE \"hostile.vmdk\"");

        AssertRefused(path, "vmdk", "VMDK create type");
    }

    [Test]
    public async Task Stream_optimized_image_with_a_footer_that_agrees_with_its_header_is_accepted()
    {
        string path = Workshop.Create("vmdk", "stream.vmdk", "1M", "-o", "subformat=streamOptimized");
        MoveGrainDirectoryToFooter(path, footerCapacitySectors: null);

        DiskImageInspection inspection = await DiskImageWorkshop.InspectAsync(path, "vmdk");

        Assert.That(inspection.VirtualSize, Is.EqualTo(1024 * 1024).And.EqualTo(DiskImageWorkshop.QemuVirtualSize(path, "vmdk")));
    }

    [Test]
    public void Stream_optimized_image_whose_footer_disagrees_with_its_header_is_refused()
    {
        string path = Workshop.Create("vmdk", "stream.vmdk", "1M", "-o", "subformat=streamOptimized");
        MoveGrainDirectoryToFooter(path, footerCapacitySectors: 1024 * 1024);
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

    /// <summary>Rewrites the descriptor embedded in a sparse VMDK (in place, within its sectors) with the given create type and extent.</summary>
    private static void WriteDescriptor(string path, string createType, string extent)
    {
        byte[] header = File.ReadAllBytes(path).AsSpan(0, 512).ToArray();
        long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(28)) * 512;
        int size = (int)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(36)) * 512;
        byte[] descriptor = new byte[size];
        Encoding.ASCII.GetBytes($"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"{createType}\"\n\n# Extent description\n{extent}\n").CopyTo(descriptor, 0);
        DiskImageWorkshop.Patch(path, offset, descriptor);
    }

    /// <summary>
    /// Makes a streamOptimized image as VMware writes it: the header's grain directory offset says "at the end", and the
    /// file ends with a footer marker, a footer (the header with the real offset, and <paramref name="footerCapacitySectors"/>
    /// when given) and an end-of-stream marker.
    /// </summary>
    private static void MoveGrainDirectoryToFooter(string path, long? footerCapacitySectors)
    {
        byte[] header = File.ReadAllBytes(path).AsSpan(0, 512).ToArray();
        byte[] footer = [.. header];
        if (footerCapacitySectors is { } capacity)
        {
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(12), capacity);
        }

        byte[] tail = new byte[1536];
        BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(12), 3);
        footer.CopyTo(tail, 512);
        DiskImageWorkshop.Patch(path, 56, BitConverter.GetBytes(ulong.MaxValue));
        using FileStream stream = new(path, FileMode.Append);
        stream.Write(tail);
    }
}
