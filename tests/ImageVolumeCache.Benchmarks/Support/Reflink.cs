using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>The <c>FICLONE</c> ioctl called in-process: what <c>cp --reflink=always</c> does, without starting a process.</summary>
public static partial class Reflink
{
    /// <summary><c>_IOW(0x94, 9, int)</c>.</summary>
    private const nuint FiClone = 0x40049409;

    /// <summary>Reflinks <paramref name="source"/> into a new file <paramref name="destination"/>.</summary>
    /// <returns>0 on success, else the errno (the destination is then removed).</returns>
    public static int TryCopy(string source, string destination)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        int errno;
        using (SafeFileHandle from = File.OpenHandle(source, FileMode.Open, FileAccess.Read))
        using (SafeFileHandle to = File.OpenHandle(destination, FileMode.CreateNew, FileAccess.Write))
        {
            errno = Ioctl(to, FiClone, from) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }

        if (errno != 0)
        {
            File.Delete(destination);
        }

        return errno;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(SafeFileHandle fd, nuint request, SafeFileHandle sourceFd);
}
