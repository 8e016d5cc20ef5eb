using System.Diagnostics;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Sqlite.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sqlite.Tests.Caching;

/// <summary>
/// A host killed with SIGKILL while qemu-img converts an image into its cache volume (the TestHost child, "convert"
/// command): its qemu-img outlives it, still writing. The next host to start on the same folders sweeps the scratch
/// folder, kills that qemu-img, and its reconciliation deletes the half-made cache volume, so nothing is left and the
/// next request for the image works.
/// </summary>
public sealed class ConversionCrashTests
{
    private const string ImageId = "image-q";

    [Test]
    public async Task A_host_killed_mid_conversion_leaves_nothing_after_the_next_start_not_even_its_qemu_img()
    {
        using var workshop = new DiskImageWorkshop();
        using var folder = new TemporaryDirectory();
        string volumes = Directory.CreateDirectory(folder.Combine("volumes")).FullName;
        string images = folder.Combine("images");
        string scratch = folder.Combine("scratch");
        string database = folder.Combine("cache.db");
        string raw = workshop.Create("raw", "source.raw", "24M");
        byte[] data = new byte[24 << 20];
        new Random(11).NextBytes(data);
        await File.WriteAllBytesAsync(raw, data);
        string qcow2 = workshop.Path("image.qcow2");
        DiskImageWorkshop.Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, qcow2]);
        await using (FileStream image = File.OpenRead(qcow2))
        {
            await new FolderImageService(images).AddImageAsync(new FolderImage(ImageId, "owner-project"), image, CancellationToken.None);
        }

        int orphan;
        using (Process child = ChildProcess.Start(["convert", volumes, images, database, scratch, ImageId]))
        {
            Assert.That(await child.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), await ChildProcess.ErrorsAsync(child));
            orphan = await ProcessTable.QemuImgNamingAsync(scratch, () => Task.FromResult(!child.HasExited));
            child.Kill();
            await child.WaitForExitAsync();
        }

        Assert.That(ProcessTable.IsRunning(orphan), Is.True, "the killed host's qemu-img outlives it");
        Assert.That(Directory.EnumerateFiles(volumes, "*.img"), Is.Not.Empty, "the half-made cache volume is there");
        await Task.Delay(ConvertCommand.LeaseDuration + TimeSpan.FromMilliseconds(500)); // the dead host's leases run out

        await using ServiceProvider host = CrashHost.Build(volumes, images, database, maxCount: 0, configure: o => o.Conversion.ScratchDirectory = scratch);
        await CrashHost.StartAsync(host);
        ReconciliationResult reconciled = await host.GetRequiredService<IImageVolumeCache>().ReconcileAsync(CrashHost.Backend, CancellationToken.None);

        Assert.That(ProcessTable.IsRunning(orphan), Is.False, "starting the next host killed the orphaned qemu-img");
        Assert.That(Directory.EnumerateFileSystemEntries(scratch), Is.Empty, "and swept its scratch folder");
        Assert.That(Directory.EnumerateFiles(volumes, "*.img"), Is.Empty, $"and its reconciliation deleted the half-made cache volume ({reconciled})");

        CreateVolumeFromImageResult next = await CrashHost.CreateAsync(host, "target-next", ImageId, 1);

        Assert.That(next.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        DiskImageWorkshop.Run("qemu-img", ["compare", "-q", "-f", "raw", "-F", "qcow2", Path.Combine(volumes, "target-next.img"), qcow2]);
        Assert.That(Directory.EnumerateFileSystemEntries(scratch), Is.Empty);
    }
}
