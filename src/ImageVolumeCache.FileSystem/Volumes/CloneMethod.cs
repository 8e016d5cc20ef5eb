namespace ImageVolumeCache.FileSystem.Volumes;

/// <summary>How a volume file was copied, cheapest first.</summary>
internal enum CloneMethod
{
    /// <summary>The <c>FICLONE</c> ioctl: the copy shares the source's blocks until either is written.</summary>
    Reflink = 1,

    /// <summary><c>copy_file_range</c> over the source's data extents: an in-kernel copy that keeps holes.</summary>
    CopyFileRange = 2,

    /// <summary>A read-and-write copy that skips all-zero blocks, so holes stay holes.</summary>
    StreamCopy = 4,
}
