namespace ImageVolumeCache.FileSystem.Tests.Conversion;

/// <summary>
/// For each safety rule, an image that qemu-img itself opens, pointing at (or disguising) a host file whose content the
/// test knows, goes through the pipeline: it is refused with the rule's message before any volume exists, no volume
/// or entry is left, and the host file's content is in no volume and no scratch file.
/// </summary>
public sealed class HostileImagePipelineTests : ConversionTestBase
{
    [SetUp]
    public void BuildPipeline() => Build();

    [Test]
    public async Task A_qcow2_whose_backing_file_is_a_host_file_is_refused()
    {
        string hostFile = MakeHostFile();
        string path = Workshop.Create("qcow2", "hostile.qcow2", "1M", "-b", hostFile, "-F", "raw");
        AssertQemuImgReadsTheHostFile(path, "qcow2");

        await AssertRefusedAsync(path, "qcow2", "qcow2 backing file");
    }

    [Test]
    public async Task A_qcow2_whose_data_file_is_a_host_file_is_refused()
    {
        // qemu-img create empties the data file it is given, so the host file's content is written after.
        string path = Workshop.Create("qcow2", "hostile.qcow2", "1M", "-o", $"data_file={Workshop.Path("host-file.raw")},data_file_raw=on");
        MakeHostFile();
        AssertQemuImgReadsTheHostFile(path, "qcow2");

        await AssertRefusedAsync(path, "qcow2", "qcow2 external data file");
    }

    [Test]
    public async Task A_vmdk_descriptor_whose_flat_extent_is_a_host_file_is_refused()
    {
        string hostFile = MakeHostFile();
        string path = Workshop.Path("hostile.vmdk");
        File.WriteAllText(path, $"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\nRW 2048 FLAT \"{hostFile}\" 0\n");
        AssertQemuImgReadsTheHostFile(path, "vmdk");

        await AssertRefusedAsync(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public async Task A_sparse_vmdk_whose_descriptor_names_a_host_file_is_refused()
    {
        string hostFile = MakeHostFile();
        string path = Workshop.Create("vmdk", "hostile.vmdk", "1M", "-o", "subformat=monolithicSparse");
        DiskImageWorkshop.WriteVmdkDescriptor(path, "monolithicSparse", $"RW 2048 FLAT \"{hostFile}\" 0");

        await AssertRefusedAsync(path, "vmdk", "VMDK extent outside the image");
    }

    [Test]
    public async Task A_vmdk_whose_parent_disk_reads_a_host_file_is_refused()
    {
        string hostFile = MakeHostFile();
        string parent = Workshop.Path("parent.vmdk");
        File.WriteAllText(parent, $"# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\nRW 2048 FLAT \"{hostFile}\" 0\n");
        string path = Workshop.Create("vmdk", "child.vmdk", "1M", "-o", "subformat=monolithicSparse", "-b", parent, "-F", "vmdk");
        AssertQemuImgReadsTheHostFile(path, "vmdk");

        await AssertRefusedAsync(path, "vmdk", "VMDK parent disk");
    }

    [Test]
    public async Task A_qcow2_claimed_as_raw_is_refused_before_its_volume_is_made()
    {
        string hostFile = MakeHostFile();
        string path = Workshop.Create("qcow2", "hostile.qcow2", "1M", "-b", hostFile, "-F", "raw");

        await AssertRefusedAsync(path, "raw", "format mismatch");
    }

    [TestCase("iso")]
    [TestCase("raw")]
    public async Task An_iso_with_a_qcow2_header_at_offset_0_is_refused(string claimed)
    {
        string hostFile = MakeHostFile();
        string iso = Workshop.MakeIso("hostile.iso");
        string qcow2 = Workshop.Create("qcow2", "header.qcow2", "1M", "-b", hostFile, "-F", "raw");
        DiskImageWorkshop.Patch(iso, 0, File.ReadAllBytes(qcow2).AsSpan(0, 512));

        await AssertRefusedAsync(iso, claimed, "ISO with another format's header");
    }

    [Test]
    public async Task A_qed_image_is_refused()
    {
        string hostFile = MakeHostFile();
        string path = Workshop.Create("qed", "hostile.qed", "1M", "-b", hostFile, "-F", "raw");
        AssertQemuImgReadsTheHostFile(path, "qed");

        await AssertRefusedAsync(path, "qed", "QED image");
    }

    [Test]
    public async Task A_stream_optimized_vmdk_whose_footer_disagrees_with_its_header_is_refused()
    {
        string path = Workshop.Create("vmdk", "stream.vmdk", "1M", "-o", "subformat=streamOptimized");
        DiskImageWorkshop.MoveVmdkGrainDirectoryToFooter(path, footerCapacitySectors: 1024 * 1024);

        await AssertRefusedAsync(path, "vmdk", "VMDK footer");
    }

    [Test]
    public async Task A_qcow2_claimed_as_vmdk_is_refused()
    {
        string path = Workshop.Create("qcow2", "image.qcow2", "1M");

        await AssertRefusedAsync(path, "vmdk", "format mismatch");
    }

    /// <summary>Checks that the hostile image is dangerous: qemu-img, left to itself, reads the host file's content out of it.</summary>
    private void AssertQemuImgReadsTheHostFile(string path, string qemuFormat)
    {
        string output = Workshop.Path("what-qemu-img-reads.raw");
        DiskImageWorkshop.Run("qemu-img", ["convert", "-q", "-f", qemuFormat, "-O", "raw", path, output]);
        byte[] read = File.ReadAllBytes(output);
        File.Delete(output);
        Assert.That(read.AsSpan().IndexOf(HostSecret), Is.Not.Negative, "qemu-img itself reads the host file through this image");
    }

    private async Task AssertRefusedAsync(string path, string claimedFormat, string rule)
    {
        AddImage("hostile", path, claimedFormat);

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await CreateAsync("vol-1", "hostile"));

        Assert.That(refusal!.Message, Does.Contain($"({rule})"));
        Assert.That(refusal.ImageId, Is.EqualTo("hostile"));
        Assert.That(VolumeFiles(), Is.Empty, "no volume was made");
        Assert.That(await EntriesAsync(), Is.Empty, "no entry");
        Assert.That(FilesHoldingHostSecret(), Is.Empty, "the host file's content is in no volume and no scratch file");
        Assert.That(ScratchLeftovers(), Is.Empty);
    }
}
