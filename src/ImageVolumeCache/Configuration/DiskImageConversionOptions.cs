namespace ImageVolumeCache;

/// <summary>
/// How images that are not raw (qcow2, VMDK, VHD, VHDX, VDI) are converted: where they are downloaded, and the limits of
/// the <c>qemu-img convert</c> process. Bound from <c>ImageVolumeCache:Conversion</c>.
/// </summary>
public sealed class DiskImageConversionOptions
{
    /// <summary>
    /// The folder where an image that needs conversion is downloaded (and converted, when the driver cannot give a local
    /// path of the volume). Each download gets a folder of its own (mode 0700), removed when the request ends; folders
    /// left by a process that crashed are removed at start-up. Must be an absolute path, and must be neither a symbolic
    /// link nor writable by other users. Default <c>imagevolumecache/scratch</c> in the user's local application data
    /// (<c>~/.local/share</c>).
    /// </summary>
    public string? ScratchDirectory { get; set; }

    /// <summary>The <c>qemu-img</c> program: a name looked up on <c>PATH</c>, or an absolute path. Default <c>qemu-img</c>.</summary>
    public string QemuImgPath { get; set; } = "qemu-img";

    /// <summary>
    /// The address space <c>qemu-img</c> may use, in MiB (its <c>RLIMIT_AS</c>, set with <c>prlimit</c>), so that a
    /// hostile image cannot make it take the host's memory. Must be from 16 to 1048576. Default 1024, as Cinder limits it.
    /// </summary>
    public int AddressSpaceLimitMb { get; set; } = 1024;

    /// <summary>
    /// The processor time <c>qemu-img</c> may use (its <c>RLIMIT_CPU</c>), in whole seconds; a conversion that needs more
    /// is killed and the image refused. Must be from 1 second to 1 day. Default 10 minutes.
    /// </summary>
    public TimeSpan CpuTimeLimit { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most bytes per second <c>qemu-img convert</c> reads (its <c>-r</c>), to leave the disks to the host's other
    /// work; 0 means no limit. Must be 0 or more. Default 0.
    /// </summary>
    public long RateLimitBytesPerSecond { get; set; }
}
