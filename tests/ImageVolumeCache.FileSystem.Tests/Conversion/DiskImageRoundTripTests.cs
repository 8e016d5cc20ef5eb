using ImageVolumeCache.FileSystem.Tests.Support;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.FileSystem.Tests.Conversion;

/// <summary>
/// Each supported format, made by qemu-img from a raw disk with data at several offsets, goes through the pipeline
/// (a miss that converts, then a hit that only clones) and both volumes hold the same disk as the image.
/// </summary>
public sealed class DiskImageRoundTripTests : ConversionTestBase
{
    [TestCase("qcow2", "qcow2", "qcow2")]
    [TestCase("qcow2", "qcow2", "qcow2", "-o", "compat=0.10")]
    [TestCase("qcow2", "qcow2", "qcow2", "-c")]
    [TestCase("vmdk", "vmdk", "vmdk", "-o", "subformat=monolithicSparse")]
    [TestCase("vmdk", "vmdk", "vmdk", "-o", "subformat=streamOptimized")]
    [TestCase("vpc", "vhd", "vpc")]
    [TestCase("vpc", "vhd", "vpc", "-o", "subformat=fixed")]
    [TestCase("vhdx", "vhdx", "vhdx")]
    [TestCase("vdi", "vdi", "vdi")]
    [TestCase("raw", "raw", "raw")]
    public async Task An_image_is_converted_once_on_the_miss_and_both_volumes_hold_its_disk(string qemuFormat, string diskFormat, string name, params string[] options)
    {
        Build();
        string raw = MakeRawDisk("source.raw", 64, seed: 1, 0, 5, 31, 63);
        string image = qemuFormat == "raw" ? raw : ConvertWithQemu(raw, qemuFormat, "image." + name, options);
        AddImage("img", image, diskFormat);

        CreateVolumeFromImageResult miss = await CreateAsync("vol-1", "img");
        CreateVolumeFromImageResult hit = await CreateAsync("vol-2", "img");

        Assert.That((miss.Path, hit.Path), Is.EqualTo((CreateFromImagePath.CacheMissCreated, CreateFromImagePath.CacheHit)));
        AssertSameDisk(VolumePath(miss.CacheEntry!.VolumeId), image, qemuFormat);
        AssertSameDisk(VolumePath("vol-1"), image, qemuFormat);
        AssertSameDisk(VolumePath("vol-2"), image, qemuFormat);
        bool converts = qemuFormat != "raw";
        Assert.That(miss.Steps.Any(s => s.Step == PipelineStep.Convert), Is.EqualTo(converts), "the miss converts every format but raw");
        Assert.That(hit.Steps.Select(s => s.Step), Does.Not.Contain(PipelineStep.Convert).And.Not.Contain(PipelineStep.DownloadToScratch), "a hit never converts");
        Assert.That(Images.DownloadCount, Is.EqualTo(1));
        Assert.That(ScratchLeftovers(), Is.Empty);
    }

    [Test]
    public async Task An_iso_is_copied_as_it_is()
    {
        Build();
        string iso = Workshop.MakeIso("image.iso");
        AddImage("img", iso, "iso");

        CreateVolumeFromImageResult miss = await CreateAsync("vol-1", "img");

        Assert.That(miss.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(miss.Steps.Select(s => s.Step), Does.Not.Contain(PipelineStep.Convert));
        AssertSameDisk(VolumePath("vol-1"), iso, "raw");
    }

    [Test]
    public async Task The_cache_entry_and_its_volume_are_sized_from_the_header_not_from_the_image_service()
    {
        Build();
        string image = ConvertWithQemu(MakeRawDisk("source.raw", 1536, seed: 2, 0, 1535), "qcow2", "image.qcow2");
        AddImage("img", image, "qcow2");
        Assert.That(Images.Update("img", i => i).MinimumSizeGb, Is.EqualTo(1), "the image service says only its 2 MiB file size");

        CreateVolumeFromImageResult result = await CreateAsync("vol-1", "img", sizeGb: 2);

        Assert.That(result.CacheEntry!.SizeGb, Is.EqualTo(2), "1.5 GiB of virtual size rounds up to 2 GB");
        Assert.That(new FileInfo(VolumePath(result.CacheEntry.VolumeId)).Length, Is.EqualTo(2 * TestData.GiB));
        AssertSameDisk(VolumePath("vol-1"), image, "qcow2");
    }

    [Test]
    public async Task A_qcow2_of_64_MiB_with_4_MiB_of_data_makes_a_sparse_volume_on_xfs()
    {
        string xfs = ReflinkDirectory.Require();
        using var volumes = new TemporaryDirectory(xfs);
        Build(volumes.Path);
        string image = ConvertWithQemu(MakeRawDisk("source.raw", 64, seed: 3, 1, 20, 40, 60), "qcow2", "image.qcow2");
        AddImage("img", image, "qcow2");

        CreateVolumeFromImageResult result = await CreateAsync("vol-1", "img");

        string cacheVolume = VolumePath(result.CacheEntry!.VolumeId);
        Assert.That(DiskUsage.AllocatedBytes(cacheVolume), Is.LessThan(8 * MiB), "the cache volume holds only the data");
        Assert.That(DiskUsage.AllocatedBytes(VolumePath("vol-1")), Is.LessThan(8 * MiB), "and so does its clone");
        AssertSameDisk(VolumePath("vol-1"), image, "qcow2");
    }

    [Test]
    public async Task A_driver_without_a_local_path_gets_the_image_converted_in_scratch_then_copied()
    {
        var driver = new InMemoryVolumeDriver();
        Build(driver: _ => driver);
        string raw = MakeRawDisk("source.raw", 8, seed: 4, 0, 7);
        AddImage("img", ConvertWithQemu(raw, "qcow2", "image.qcow2"), "qcow2");

        CreateVolumeFromImageResult result = await CreateAsync("vol-1", "img");

        byte[] expected = File.ReadAllBytes(raw);
        byte[] data = driver.GetVolume("vol-1").Data;
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(data.AsSpan(0, expected.Length).SequenceEqual(expected), Is.True, "the volume starts with the raw disk");
        Assert.That(data.AsSpan(expected.Length).ContainsAnyExcept((byte)0), Is.False, "and is zero after it");
        Assert.That(driver.Calls.Count(c => c.Operation == DriverOperation.CopyImage), Is.EqualTo(1), "the converted image was copied into the cache volume");
        Assert.That(ScratchLeftovers(), Is.Empty);
    }

    [Test]
    public async Task A_cache_volume_is_written_through_its_file_but_an_encrypted_volume_only_through_the_drivers_copy()
    {
        LocalWriteCountingDriver? driver = null;
        Build(driver: _ => driver = new LocalWriteCountingDriver(new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = VolumesFolder })));
        string image = ConvertWithQemu(MakeRawDisk("source.raw", 8, seed: 13, 0, 7), "qcow2", "image.qcow2");
        AddImage("img", image, "qcow2");

        await CreateAsync("vol-1", "img");
        var encrypted = new VolumeSpec("vol-2", Backend, 1) { ProjectId = Requester.ProjectId, UserId = Requester.UserId, Encrypted = true };
        CreateVolumeFromImageResult result = await Pipeline.CreateAsync(new CreateVolumeFromImageRequest(Requester, encrypted, "img"), CancellationToken.None);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.Download), "an encrypted volume does not use the cache");
        Assert.That((driver!.LocalWrites, driver.Copies), Is.EqualTo((1, 1)), "the cache volume through its file; the encrypted one through CopyImageToVolumeAsync");
        AssertSameDisk(VolumePath("vol-2"), image, "qcow2");
    }

    [Test]
    public async Task Without_room_in_the_cache_the_request_converts_into_its_own_volume_from_the_same_download()
    {
        Build(configure: options => options.Defaults.MaxSizeGb = 1);
        string image = ConvertWithQemu(MakeRawDisk("source.raw", 1536, seed: 5, 0, 1535), "vmdk", "image.vmdk", "-o", "subformat=streamOptimized");
        AddImage("img", image, "vmdk");

        CreateVolumeFromImageResult result = await CreateAsync("vol-1", "img", sizeGb: 2);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached), "a 2 GB entry does not fit a 1 GB cache");
        AssertSameDisk(VolumePath("vol-1"), image, "vmdk");
        Assert.That(Images.DownloadCount, Is.EqualTo(1));
        Assert.That(result.Steps.Count(s => s.Step == PipelineStep.DownloadToScratch), Is.EqualTo(1));
        Assert.That(VolumeFiles().Where(f => f.EndsWith(".img", StringComparison.Ordinal)).Select(Path.GetFileName), Is.EqualTo(new[] { "vol-1.img" }));
    }
}
