using ImageVolumeCache.FileSystem.Diagnostics;
using ImageVolumeCache.FileSystem.Interop;
using ImageVolumeCache.FileSystem.Volumes;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem;

/// <summary>Clones: of a volume (reflink, else copy), and of an image file straight into a volume (reflink only).</summary>
public sealed partial class FileSystemVolumeDriver
{
    /// <inheritdoc/>
    /// <remarks>
    /// Succeeds only when <see cref="FileSystemVolumeDriverOptions.CloneImagesDirectly"/> is on, the image is raw, one of
    /// its locations is a <c>file://</c> path that exists, and that file can be reflinked into the backend's directory
    /// (same reflink-capable file system). The image's checksum is not checked on this path: its file is trusted.
    /// </remarks>
    public async ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(image);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_cloneImagesDirectly || !OperatingSystem.IsLinux() || target.Encrypted
            || !string.Equals(image.DiskFormat, "raw", StringComparison.OrdinalIgnoreCase)
            || image.SizeBytes > target.SizeGb * BytesPerGb
            || image.Locations.Select(LocalPath).FirstOrDefault(File.Exists) is not { } imagePath)
        {
            return false;
        }

        try
        {
            await MakeVolumeAsync(target, (destination, _) =>
            {
                using SafeFileHandle source = File.OpenHandle(imagePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                int errno = LinuxFileOps.TryReflink(source, destination);
                return errno == 0 ? ValueTask.CompletedTask : throw new ReflinkRefusedException(errno);
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ReflinkRefusedException refused)
        {
            Log.DirectImageCloneRefused(_logger, image.Id, target.Id, _backend, refused.Errno);
            return false;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The target is not <see cref="BackendVolume.ImageDataComplete"/> (no image data was copied into it), and is never
    /// read-only, even when its source is.
    /// </remarks>
    /// <exception cref="ArgumentException">The target is smaller than the source.</exception>
    /// <exception cref="DirectoryNotFoundException">The backend's directory does not exist.</exception>
    public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        cancellationToken.ThrowIfCancellationRequested();
        string sourcePath = ExistingVolumePath(sourceVolumeId);
        long sourceLength = new FileInfo(sourcePath).Length;
        if (target.SizeGb * BytesPerGb < sourceLength)
        {
            throw new ArgumentException(
                $"Clone '{target.Id}' ({target.SizeGb} GB) would be smaller than its source '{sourceVolumeId}' ({SizeGbOf(sourceLength)} GB) on backend '{_backend}'.",
                nameof(target));
        }

        return MakeVolumeAsync(target, async (destination, ct) =>
        {
            using SafeFileHandle source = File.OpenHandle(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            CloneMethod method = await FileCloner.CloneAsync(source, destination, sourceLength, BeforeWrite, ct).ConfigureAwait(false);
            LogFirstUse(method);
        }, cancellationToken);
    }

    private void LogFirstUse(CloneMethod method)
    {
        int flag = (int)method;
        int before = Interlocked.Or(ref _loggedCloneMethods, flag);
        if ((before & flag) == 0)
        {
            Log.CloneMethodChosen(_logger, _backend, method.ToString(), Directory);
        }
    }

    private static string? LocalPath(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out Uri? uri) && uri.IsFile ? uri.LocalPath : null;

    private sealed class ReflinkRefusedException(int errno) : Exception($"FICLONE failed with errno {errno}.")
    {
        public int Errno { get; } = errno;
    }
}
