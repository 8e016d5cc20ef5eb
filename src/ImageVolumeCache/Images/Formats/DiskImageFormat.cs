namespace ImageVolumeCache;

/// <summary>The format of a disk image, as <see cref="DiskImageInspector"/> finds it in the image's own bytes.</summary>
public enum DiskImageFormat
{
    /// <summary>No image format header: the bytes are the disk itself (a GPT or MBR disk is raw too).</summary>
    Raw,

    /// <summary>QEMU copy-on-write, version 2 or 3 (<c>qcow2</c>).</summary>
    Qcow2,

    /// <summary>VMware virtual disk, monolithicSparse or streamOptimized (<c>vmdk</c>).</summary>
    Vmdk,

    /// <summary>Virtual PC / Hyper-V virtual hard disk, fixed or dynamic (<c>vhd</c>, qemu's <c>vpc</c>).</summary>
    Vhd,

    /// <summary>Hyper-V virtual hard disk v2 (<c>vhdx</c>).</summary>
    Vhdx,

    /// <summary>VirtualBox disk image (<c>vdi</c>).</summary>
    Vdi,

    /// <summary>QEMU enhanced disk (<c>qed</c>); detected so that it can be refused.</summary>
    Qed,

    /// <summary>ISO 9660 or UDF optical disc image (<c>iso</c>).</summary>
    Iso,

    /// <summary>LUKS encrypted volume, version 1 or 2 (<c>luks</c>).</summary>
    Luks,

    /// <summary>A format this library does not handle (a claimed <c>disk_format</c> it does not know, or a recognised but unsupported header); always refused.</summary>
    Unknown,
}
