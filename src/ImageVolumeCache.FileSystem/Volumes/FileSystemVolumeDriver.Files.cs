using System.Buffers;
using System.Text.Json;
using ImageVolumeCache.FileSystem.Diagnostics;
using ImageVolumeCache.FileSystem.Interop;
using ImageVolumeCache.FileSystem.Volumes;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem;

/// <summary>The files of a volume: making them all-or-nothing, the sidecar, and the read-only mark.</summary>
public sealed partial class FileSystemVolumeDriver
{
    private const int MaxIdLength = 200;
    private static readonly SearchValues<char> IdCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>
    /// Claims <c>&lt;id&gt;.img</c> (failing when it exists), fills it, sizes it, then writes the sidecar. Anything that
    /// fails or is cancelled removes both files again. The volume is not <see cref="BackendVolume.ImageDataComplete"/>:
    /// only <see cref="CopyImageToVolumeAsync"/> sets that.
    /// </summary>
    private async ValueTask MakeVolumeAsync(
        VolumeSpec volume, Func<SafeFileHandle, CancellationToken, ValueTask> fill, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (volume.SizeGb <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(volume), volume.SizeGb, $"Volume '{volume.Id}' must be at least 1 GB.");
        }

        string path = GetVolumePath(volume.Id);
        EnsureDirectory();

        // The sidecar is written (to a temporary file) before the volume file is claimed, so that a crash at any point
        // leaves no volume file whose spec is unknown: the listing reads a pending sidecar when the sidecar is missing.
        byte[] sidecar = SerializeRecord(VolumeRecord.From(volume));
        bool preparing = _preparing.TryAdd(volume.Id, 0);
        string pending;
        SafeFileHandle handle;
        try
        {
            pending = AtomicFile.Prepare(SidecarPath(volume.Id), sidecar);
            try
            {
                handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(pending);
                throw new VolumeAlreadyExistsException(volume.Id, _backend);
            }
            catch
            {
                File.Delete(pending);
                throw;
            }
        }
        finally
        {
            if (preparing)
            {
                _preparing.TryRemove(volume.Id, out _);
            }
        }

        try
        {
            using (handle)
            {
                await fill(handle, cancellationToken).ConfigureAwait(false);
                RandomAccess.SetLength(handle, volume.SizeGb * BytesPerGb);
            }

            AtomicFile.Commit(pending, SidecarPath(volume.Id), sidecar);
        }
        catch (Exception ex)
        {
            RemovePartialFiles(volume.Id, path);
            if (ex is IOException io and not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw WriteFailed(volume.Id, path, io);
            }

            throw;
        }
    }

    private void RemovePartialFiles(string volumeId, string path)
    {
        try
        {
            DeleteFiles(volumeId, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(_logger, ex, volumeId, _backend, path);
        }
    }

    private IOException WriteFailed(string volumeId, string path, IOException inner) =>
        new($"Writing volume '{volumeId}' on backend '{_backend}' ({path}) failed: {inner.Message}", inner);

    /// <summary>Opens an existing volume's file for reading; a missing file is a <see cref="VolumeNotFoundException"/>.</summary>
    private static SafeFileHandle OpenExistingVolume(string volumeId, string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            throw new VolumeNotFoundException(volumeId);
        }
    }

    private void EnsureDirectory()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException($"The directory of backend '{_backend}', {Directory}, does not exist.");
        }
    }

    private string SidecarPath(string volumeId) => Path.Combine(Directory, volumeId + SidecarExtension);

    private VolumeRecord? ReadRecord(string volumeId) => ReadRecordFile(SidecarPath(volumeId));

    private static VolumeRecord? ReadRecordFile(string path)
    {
        try
        {
            byte[] json = File.ReadAllBytes(path);
            return JsonSerializer.Deserialize(json, VolumeJsonContext.Default.VolumeRecord);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void WriteRecord(VolumeRecord record) => AtomicFile.Write(SidecarPath(record.Id), SerializeRecord(record));

    private static byte[] SerializeRecord(VolumeRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, VolumeJsonContext.Default.VolumeRecord);

    private void UpdateRecord(string volumeId, Func<VolumeRecord, VolumeRecord> change)
    {
        if (ReadRecord(volumeId) is { } record)
        {
            WriteRecord(change(record));
        }
    }

    /// <summary>
    /// Before image data is written into a volume (copied or converted): checks that it exists and takes back its
    /// "image data complete" mark. Returns its record, as it was.
    /// </summary>
    private VolumeRecord? BeginImageWrite(string volumeId, string path)
    {
        if (!File.Exists(path))
        {
            throw new VolumeNotFoundException(volumeId);
        }

        VolumeRecord? record = ReadRecord(volumeId);
        if (record is { ImageDataComplete: true })
        {
            UpdateRecord(volumeId, r => r with { ImageDataComplete = false });
        }

        return record;
    }

    /// <summary>Empties the volume's file and sets it back to its size, so that it reads as zeros and holds no blocks; returns the size.</summary>
    private static long DiscardContent(SafeFileHandle handle)
    {
        long capacity = RandomAccess.GetLength(handle);
        RandomAccess.SetLength(handle, 0);
        RandomAccess.SetLength(handle, capacity);
        return capacity;
    }

    /// <summary>After image data was written to its end and flushed: marks it complete, and makes a cache volume read-only.</summary>
    private void EndImageWrite(string volumeId, string path, VolumeRecord? record)
    {
        UpdateRecord(volumeId, r => r with { ImageDataComplete = true });
        if (record is not null && IsCacheVolume(record.Metadata))
        {
            MakeReadOnly(path);
        }
    }

    private static bool IsCacheVolume(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(CacheVolumeMetadata.CacheVolume, out string? value) && bool.TryParse(value, out bool isCache) && isCache;

    private static void MakeReadOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(path, File.GetAttributes(path) | FileAttributes.ReadOnly);
        }
        else
        {
            File.SetUnixFileMode(path, ReadOnlyMode);
        }
    }

    /// <summary>Runs <paramref name="action"/> with the file writable, restoring a read-only mark afterwards.</summary>
    private static void WithWriteAccess(string path, Action action)
    {
        if (OperatingSystem.IsWindows())
        {
            action();
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        bool readOnly = (mode & UnixFileMode.UserWrite) == 0;
        if (readOnly)
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserWrite);
        }

        try
        {
            action();
        }
        finally
        {
            if (readOnly)
            {
                File.SetUnixFileMode(path, mode);
            }
        }
    }

    private static int SizeGbOf(long length) => (int)Math.Clamp((length + BytesPerGb - 1) / BytesPerGb, 0, int.MaxValue);

    /// <summary>Whether an id is of the driver's alphabet: 1 to 200 ASCII letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    internal static bool IsValidId(string volumeId) =>
        volumeId.Length is > 0 and <= MaxIdLength && volumeId[0] != '.' && !volumeId.AsSpan().ContainsAnyExcept(IdCharacters);

    private static string ValidId(string volumeId, string paramName = "volumeId")
    {
        ArgumentNullException.ThrowIfNull(volumeId, paramName);
        return IsValidId(volumeId)
            ? volumeId
            : throw new ArgumentException(
                $"Volume id '{volumeId}' is not valid on a file-system backend: an id is 1 to {MaxIdLength} ASCII letters, digits, '-', '_' or '.', and does not start with '.'.",
                paramName);
    }
}
