using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem;

/// <summary>Writing a volume through its file: the path qemu-img converts an image into.</summary>
public sealed partial class FileSystemVolumeDriver
{
    /// <inheritdoc/>
    /// <remarks>
    /// The volume's file is emptied and set back to its size, so it reads as zeros and holds no blocks; the sidecar no
    /// longer records <see cref="BackendVolume.ImageDataComplete"/> until <see cref="CompleteLocalWriteAsync"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    public ValueTask<string?> BeginLocalWriteAsync(string volumeId, CancellationToken cancellationToken)
    {
        string path = GetVolumePath(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        BeginImageWrite(volumeId, path);
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            DiscardContent(handle);
        }
        catch (FileNotFoundException)
        {
            throw new VolumeNotFoundException(volumeId);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw WriteFailed(volumeId, path, ex);
        }

        return ValueTask.FromResult<string?>(path);
    }

    /// <inheritdoc/>
    /// <remarks>The file is flushed to disk; then a cache volume becomes read-only (mode 0444), as after <see cref="CopyImageToVolumeAsync"/>.</remarks>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    public ValueTask CompleteLocalWriteAsync(string volumeId, ImageInfo image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        string path = GetVolumePath(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            RandomAccess.FlushToDisk(handle);
        }
        catch (FileNotFoundException)
        {
            throw new VolumeNotFoundException(volumeId);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw WriteFailed(volumeId, path, ex);
        }

        EndImageWrite(volumeId, path, ReadRecord(volumeId));
        return ValueTask.CompletedTask;
    }
}
