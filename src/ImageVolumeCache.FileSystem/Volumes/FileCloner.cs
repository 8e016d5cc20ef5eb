using ImageVolumeCache.FileSystem.Interop;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem.Volumes;

/// <summary>
/// Copies one volume file into a new, empty one by the cheapest method the file system allows: a reflink, else
/// <c>copy_file_range</c> over the data extents, else a sparse-aware stream copy.
/// </summary>
internal static class FileCloner
{
    private const long CopyChunk = 64L << 20;
    private const int EXDEV = 18;
    private const int EINVAL = 22;
    private const int ENOSYS = 38;
    private const int EOPNOTSUPP = 95;

    public static async ValueTask<CloneMethod> CloneAsync(
        SafeFileHandle source, SafeFileHandle destination, long length, Action<long>? beforeWrite, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // A test's write-fault seam (beforeWrite) needs the copy to go through user space, where it can be injected.
        if (OperatingSystem.IsLinux())
        {
            if (beforeWrite is null && LinuxFileOps.TryReflink(source, destination) == 0)
            {
                return CloneMethod.Reflink;
            }

            if (beforeWrite is null && await Task.Run(() => TryCopyFileRange(source, destination, length, cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                return CloneMethod.CopyFileRange;
            }
        }

        await SparseCopy.CopyAsync(source, destination, length, beforeWrite, cancellationToken).ConfigureAwait(false);
        return CloneMethod.StreamCopy;
    }

    /// <summary>
    /// Copies each data extent of the source with <c>copy_file_range</c>, so holes stay holes.
    /// Returns <see langword="false"/> when the kernel or file system cannot do it before anything was copied.
    /// </summary>
    private static bool TryCopyFileRange(SafeFileHandle source, SafeFileHandle destination, long length, CancellationToken cancellationToken)
    {
        bool copiedAny = false;
        long offset = 0;
        while (offset < length && LinuxFileOps.NextDataExtent(source, offset) is (long start, long end))
        {
            end = Math.Min(end, length);
            for (long position = start; position < end;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long copied = LinuxFileOps.CopyFileRange(source, destination, position, Math.Min(CopyChunk, end - position));
                if (copied < 0)
                {
                    int errno = (int)-copied;
                    if (!copiedAny && errno is EXDEV or EINVAL or ENOSYS or EOPNOTSUPP)
                    {
                        return false;
                    }

                    throw LinuxFileOps.Error("copy_file_range", errno);
                }

                if (copied == 0)
                {
                    return true;
                }

                copiedAny = true;
                position += copied;
            }

            offset = end;
        }

        return true;
    }
}
