using System.Diagnostics;

namespace ImageVolumeCache.FileSystem.Tests.Conversion;

/// <summary>qemu-img runs under limits and dies with its request; sizes come from the header; scratch space is checked first.</summary>
public sealed class ConversionLimitsTests : ConversionTestBase
{
    [Test]
    public async Task A_cancelled_conversion_kills_qemu_img_within_a_second_and_leaves_no_scratch_file_or_volume()
    {
        // Throttled to 1 MiB/s, converting 48 MiB of random data takes most of a minute: long enough to cancel it midway.
        Build(configure: options => options.Conversion.RateLimitBytesPerSecond = MiB);
        string raw = MakeRawDisk("source.raw", 48, seed: 6, [.. Enumerable.Range(0, 48)]);
        AddImage("img", ConvertWithQemu(raw, "qcow2", "image.qcow2"), "qcow2");
        using var cts = new CancellationTokenSource();

        Task<CreateVolumeFromImageResult> request = CreateAsync("vol-1", "img", cancellationToken: cts.Token);
        int pid = await ProcessTable.QemuImgNamingAsync(ScratchFolder, () => Task.FromResult(!request.IsCompleted));
        var sinceCancel = Stopwatch.StartNew();
        await cts.CancelAsync();
        while (Directory.Exists($"/proc/{pid}") && sinceCancel.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        TimeSpan gone = sinceCancel.Elapsed;
        Assert.That(gone, Is.LessThan(TimeSpan.FromSeconds(1)), "qemu-img is gone within a second of the cancellation");
        Assert.That(async () => await request, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(VolumeFiles(), Is.Empty);
        Assert.That(ScratchLeftovers(), Is.Empty);
        Assert.That(await EntriesAsync(), Is.Empty);
    }

    [Test]
    public async Task Qemu_img_runs_with_two_malloc_arenas_so_that_its_address_space_limit_is_not_spent_on_idle_heaps()
    {
        Build(configure: options => options.Conversion.RateLimitBytesPerSecond = MiB);
        AddImage("img", ConvertWithQemu(MakeRawDisk("source.raw", 48, seed: 8, [.. Enumerable.Range(0, 48)]), "qcow2", "image.qcow2"), "qcow2");
        using var cts = new CancellationTokenSource();

        Task<CreateVolumeFromImageResult> request = CreateAsync("vol-1", "img", cancellationToken: cts.Token);
        int pid = await ProcessTable.QemuImgNamingAsync(ScratchFolder, () => Task.FromResult(!request.IsCompleted));
        string[] environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        await cts.CancelAsync();

        Assert.That(environment, Does.Contain("MALLOC_ARENA_MAX=2"));
        Assert.That(async () => await request, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Qemu_img_runs_under_its_address_space_limit_and_a_conversion_over_it_is_refused_with_its_error_output()
    {
        Build(configure: options => options.Conversion.AddressSpaceLimitMb = 16);
        AddImage("img", ConvertWithQemu(MakeRawDisk("source.raw", 8, seed: 7, 0), "qcow2", "image.qcow2"), "qcow2");

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await CreateAsync("vol-1", "img"));

        Assert.That(refusal!.Message, Does.Contain("qemu-img exited with code 134").And.Contain("ImageVolumeCache:Conversion:AddressSpaceLimitMb").And.Contain(": qemu"), "the limit is named, and qemu-img's own error output quoted");
        Assert.That(VolumeFiles(), Is.Empty);
        Assert.That(ScratchLeftovers(), Is.Empty);
        Assert.That(await EntriesAsync(), Is.Empty);
    }

    [Test]
    public async Task An_image_whose_header_holds_more_than_the_image_service_claims_is_refused()
    {
        Build();
        string image = ConvertWithQemu(MakeRawDisk("source.raw", 64, seed: 8, 0), "qcow2", "image.qcow2");
        AddImage("img", image, "qcow2", virtualSize: 16 * MiB);

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await CreateAsync("vol-1", "img"));

        Assert.That(refusal!.Message, Does.Contain("(virtual size)").And.Contain($"{16 * MiB}").And.Contain($"{64 * MiB}"));
        Assert.That(VolumeFiles(), Is.Empty);
        Assert.That(ScratchLeftovers(), Is.Empty);
    }

    [Test]
    public async Task A_raw_image_that_claims_a_smaller_virtual_size_than_its_bytes_is_refused()
    {
        Build();
        AddImage("img", MakeRawDisk("source.raw", 4, seed: 9, 0), "raw", virtualSize: MiB);

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await CreateAsync("vol-1", "img"));

        Assert.That(refusal!.Message, Does.Contain("(virtual size)"));
        Assert.That(VolumeFiles(), Is.Empty);
        Assert.That(Images.DownloadCount, Is.Zero);
    }

    [Test]
    public async Task An_image_whose_header_needs_a_larger_volume_than_requested_is_refused_before_any_volume_exists()
    {
        Build();
        AddImage("img", Workshop.Create("qcow2", "image.qcow2", "3G"), "qcow2");

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await CreateAsync("vol-1", "img", sizeGb: 2));

        Assert.That(refusal!.Message, Does.Contain("at least 3 GB").And.Contain("volume 'vol-1' is 2 GB"));
        Assert.That(VolumeFiles(), Is.Empty);
        Assert.That(await EntriesAsync(), Is.Empty);
    }

    [Test]
    public async Task A_hit_on_an_entry_larger_than_the_requested_volume_is_refused_and_makes_nothing()
    {
        Build();
        AddImage("img", Workshop.Create("qcow2", "image.qcow2", "3G"), "qcow2");
        await CreateAsync("vol-1", "img", sizeGb: 3);

        ImageUnacceptableException? refusal = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await CreateAsync("vol-2", "img", sizeGb: 2));

        Assert.That(refusal!.Message, Does.Contain("at least 3 GB"));
        Assert.That(File.Exists(VolumePath("vol-2")), Is.False);
    }

    [Test]
    public async Task Too_little_scratch_space_fails_fast_naming_the_folder_and_the_option_before_the_download()
    {
        Build();
        AddImage("img", Workshop.Create("qcow2", "image.qcow2", "1M"), "qcow2");
        // The image service claims a 4 PiB file (more than any scratch folder has) of a 1 MiB disk.
        Images.Update("img", image => image with { SizeBytes = 1L << 52, VirtualSizeBytes = MiB });

        InsufficientScratchSpaceException? ex = Assert.ThrowsAsync<InsufficientScratchSpaceException>(async () => await CreateAsync("vol-1", "img"));

        Assert.That(ex!.RequiredBytes, Is.EqualTo(1L << 52));
        Assert.That(ex.AvailableBytes, Is.LessThan(1L << 52));
        Assert.That(ex.Message, Does.Contain(ScratchFolder).And.Contain("ImageVolumeCache:Conversion:ScratchDirectory"));
        Assert.That(Images.DownloadCount, Is.Zero, "nothing was downloaded");
        Assert.That(VolumeFiles(), Is.Empty);
        Assert.That(ScratchLeftovers(), Is.Empty);
    }
}
