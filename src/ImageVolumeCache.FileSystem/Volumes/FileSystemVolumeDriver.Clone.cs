using ImageVolumeCache.FileSystem.Diagnostics;
using ImageVolumeCache.FileSystem.Interop;
using ImageVolumeCache.FileSystem.Volumes;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem;

/// <summary>Clones: of a volume (reflink, else copy, between pools too), and of an image file straight into a volume (reflink only).</summary>
public sealed partial class FileSystemVolumeDriver
{
    /// <inheritdoc/>
    /// <remarks>Always <see langword="true"/>: every pool of the backend keeps its volumes in the one directory, so a clone between pools is a clone like any other.</remarks>
    public bool CanCloneBetweenPools(string sourcePool, string targetPool) => true;

    /// <inheritdoc/>
    /// <remarks>
    /// Succeeds only when <see cref="FileSystemVolumeDriverOptions.CloneImagesDirectly"/> is on, an
    /// <see cref="FileSystemVolumeDriverOptions.ImageDirectory"/> is set, the image is raw, one of its locations is a
    /// <c>file://</c> path whose real path (symbolic links resolved) is a file inside the image directory, and that file can
    /// be reflinked into the backend's directory (same reflink-capable file system). A location anywhere else is never
    /// opened. The image's checksum is not checked on this path: the image directory's files are trusted.
    /// </remarks>
    /// <exception cref="ArgumentException">The target's id is not of the driver's alphabet (see the class remarks).</exception>
    public async ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(image);
        ValidId(target.Id, nameof(target));
        cancellationToken.ThrowIfCancellationRequested();
        if (!_cloneImagesDirectly || _imageDirectory is null || !OperatingSystem.IsLinux() || target.Encrypted
            || !string.Equals(image.DiskFormat, "raw", StringComparison.OrdinalIgnoreCase)
            || image.SizeBytes > target.SizeGb * BytesPerGb)
        {
            return false;
        }

        using SafeFileHandle? source = OpenImageFile(image, target.Id, _imageDirectory);
        if (source is null)
        {
            return false;
        }

        try
        {
            await MakeVolumeAsync(target, (destination, _) =>
            {
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
    /// The source is opened before anything is made and held open, so a delete of it while the clone runs leaves the clone
    /// its data, and one before is a <see cref="VolumeNotFoundException"/> with nothing made. The target is not
    /// <see cref="BackendVolume.ImageDataComplete"/> (no image data was copied into it), and is never read-only, even when
    /// its source is.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The target is smaller than the source, or an id is not of the driver's alphabet (see the class remarks).
    /// </exception>
    /// <exception cref="DirectoryNotFoundException">The backend's directory does not exist.</exception>
    public async ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ValidId(target.Id, nameof(target));
        string sourcePath = GetVolumePath(sourceVolumeId);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureDirectory();
        using SafeFileHandle source = OpenExistingVolume(sourceVolumeId, sourcePath);
        long sourceLength = RandomAccess.GetLength(source);
        if (target.SizeGb * BytesPerGb < sourceLength)
        {
            throw new ArgumentException(
                $"Clone '{target.Id}' ({target.SizeGb} GB) would be smaller than its source '{sourceVolumeId}' ({SizeGbOf(sourceLength)} GB) on backend '{_backend}'.",
                nameof(target));
        }

        await MakeVolumeAsync(target, async (destination, ct) =>
        {
            CloneMethod method = await FileCloner.CloneAsync(source, destination, sourceLength, BeforeWrite, ct).ConfigureAwait(false);
            LogFirstUse(method);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the first <c>file://</c> location of the image that is a file inside the image directory, checking the real
    /// path before opening (so nothing outside is ever opened) and the opened file after (so a path swapped for a link in
    /// between is caught); <see langword="null"/> when there is none.
    /// </summary>
    private SafeFileHandle? OpenImageFile(ImageInfo image, string targetId, string imageDirectory)
    {
        foreach (string location in image.Locations)
        {
            if (LocalPath(location) is not { } path)
            {
                continue;
            }

            SafeFileHandle? handle = null;
            try
            {
                if (ContainedPath.RealPathInside(path, imageDirectory) is { } real)
                {
                    handle = File.OpenHandle(real, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    if (ContainedPath.IsOpenInside(handle, imageDirectory))
                    {
                        return handle;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone since the check, or a directory: not a file to clone.
            }

            handle?.Dispose();
            Log.DirectImageCloneOutside(_logger, image.Id, targetId, _backend, location, imageDirectory);
        }

        return null;
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
