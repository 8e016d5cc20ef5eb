using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem.Interop;

/// <summary>
/// The Linux calls the driver uses to clone files cheaply: the <c>FICLONE</c> ioctl (reflink), <c>copy_file_range</c>
/// and <c>lseek</c> with <c>SEEK_DATA</c>/<c>SEEK_HOLE</c> to find a sparse file's data extents; and <c>realpath</c> and
/// <c>link</c>, which keep images to the files of their folder.
/// </summary>
internal static unsafe partial class LinuxFileOps
{
    /// <summary><c>_IOW(0x94, 9, int)</c>: make the destination share the source's extents.</summary>
    private const nuint FiClone = 0x40049409;
    private const int SeekData = 3;
    private const int SeekHole = 4;

    /// <summary>errno: no data at or after the offset (SEEK_DATA past the last extent).</summary>
    private const int ENXIO = 6;

    /// <summary>errno: no space left on the device.</summary>
    public const int ENOSPC = 28;

    /// <summary>Tries to reflink <paramref name="source"/> into the empty <paramref name="destination"/>.</summary>
    /// <returns>0 on success, else the errno (for example <c>EOPNOTSUPP</c> or <c>EXDEV</c>).</returns>
    public static int TryReflink(SafeFileHandle source, SafeFileHandle destination)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return Ioctl(destination, FiClone, source) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// The next data extent at or after <paramref name="offset"/>, as (start, end); <see langword="null"/> past the last one.
    /// </summary>
    /// <exception cref="IOException">The file system cannot tell data from holes.</exception>
    public static (long Start, long End)? NextDataExtent(SafeFileHandle file, long offset)
    {
        long start = Lseek(file, offset, SeekData);
        if (start < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == ENXIO ? null : throw Error("lseek(SEEK_DATA)", errno);
        }

        long end = Lseek(file, start, SeekHole);
        return end < 0 ? throw Error("lseek(SEEK_HOLE)", Marshal.GetLastPInvokeError()) : (start, end);
    }

    /// <summary>Copies up to <paramref name="length"/> bytes at the same offset in the kernel.</summary>
    /// <returns>The bytes copied (0 at the source's end), or minus the errno.</returns>
    public static long CopyFileRange(SafeFileHandle source, SafeFileHandle destination, long offset, long length)
    {
        long sourceOffset = offset;
        long destinationOffset = offset;
        long copied = CopyFileRange(source, ref sourceOffset, destination, ref destinationOffset, (nuint)length, 0);
        return copied >= 0 ? copied : -Marshal.GetLastPInvokeError();
    }

    public static IOException Error(string call, int errno) =>
        new($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);

    /// <summary>The path with every symbolic link, <c>.</c> and <c>..</c> resolved (<c>realpath(3)</c>); <see langword="null"/> when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        nint resolved = RealPathNative(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMemory.Free((void*)resolved);
        }
    }

    /// <summary>
    /// Creates <paramref name="newPath"/> as a hard link to <paramref name="existingPath"/> (<c>link(2)</c>).
    /// </summary>
    /// <returns>0 on success, else the errno (for example <c>EXDEV</c> across file systems).</returns>
    public static int TryHardLink(string existingPath, string newPath) => Link(existingPath, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(SafeFileHandle fd, nuint request, SafeFileHandle sourceFd);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Lseek(SafeFileHandle fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial long CopyFileRange(SafeFileHandle fdIn, ref long offIn, SafeFileHandle fdOut, ref long offOut, nuint length, uint flags);
}
