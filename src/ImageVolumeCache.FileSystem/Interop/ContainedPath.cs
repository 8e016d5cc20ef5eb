using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem.Interop;

/// <summary>
/// Whether a file really lies inside a folder, with symbolic links resolved: the check that keeps the folder image
/// service and the direct image clone to the files of the image folder, whatever a manifest or a location says.
/// </summary>
internal static class ContainedPath
{
    /// <summary>
    /// The real path of <paramref name="path"/> (symbolic links, <c>.</c> and <c>..</c> resolved) when it is inside the real
    /// path of <paramref name="folder"/>; <see langword="null"/> when it is outside, or either does not exist.
    /// </summary>
    public static string? RealPathInside(string path, string folder) =>
        RealPath(path) is { } real && RealPath(folder) is { } realFolder && IsInside(real, realFolder) ? real : null;

    /// <summary>
    /// The path of <paramref name="path"/> relative to <paramref name="folder"/>, symbolic links resolved, when it is inside;
    /// <see langword="null"/> when it is outside, or either does not exist.
    /// </summary>
    public static string? RelativePathInside(string path, string folder) =>
        RealPath(path) is { } real && RealPath(folder) is { } realFolder && IsInside(real, realFolder) ? Path.GetRelativePath(realFolder, real) : null;

    /// <summary>Whether <paramref name="path"/>, without resolving links, names something inside <paramref name="folder"/>.</summary>
    public static bool IsLexicallyInside(string path, string folder) => IsInside(Path.GetFullPath(path), Path.GetFullPath(folder));

    /// <summary>
    /// Whether the file open as <paramref name="handle"/> is inside the real path of <paramref name="folder"/>. Checked after
    /// opening, so that a path replaced by a symbolic link between the check and the open is caught. On other systems than
    /// Linux (no <c>/proc/self/fd</c>) it trusts the check made before opening.
    /// </summary>
    public static bool IsOpenInside(SafeFileHandle handle, string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        string? opened = File.ResolveLinkTarget($"/proc/self/fd/{handle.DangerousGetHandle()}", returnFinalTarget: false)?.FullName;
        return opened is not null && RealPath(folder) is { } realFolder && IsInside(opened, realFolder);
    }

    /// <summary>The path with symbolic links resolved; <see langword="null"/> when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            return LinuxFileOps.RealPath(path);
        }

        // Elsewhere only the last component's link is resolved.
        var file = new FileInfo(Path.GetFullPath(path));
        if (!file.Exists && !System.IO.Directory.Exists(file.FullName))
        {
            return null;
        }

        return Path.GetFullPath(file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file.FullName);
    }

    private static bool IsInside(string path, string folder)
    {
        string prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
