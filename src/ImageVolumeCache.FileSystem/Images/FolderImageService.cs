using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using ImageVolumeCache.FileSystem.Diagnostics;
using ImageVolumeCache.FileSystem.Images;
using ImageVolumeCache.FileSystem.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem;

/// <summary>
/// An <see cref="IImageService"/> over a folder: each image is a data file with a JSON manifest
/// <c>&lt;image-id&gt;.json</c> (id, name, owner project, visibility, disk format, virtual size, <c>updated_at</c>, size,
/// sha256 checksum). The disk format is one of raw, qcow2, vmdk, vhd, vhdx, vdi and iso, checked (or detected) by
/// <see cref="DiskImageInspector"/> when an image is added; a manifest without one is raw.
/// A private image is visible only to its owner project and administrators; to anyone else it does not exist. Images
/// carry their file as a <c>file://</c> location, so a driver on the same file system can clone it directly. Thread-safe.
/// </summary>
/// <remarks>
/// Manifests are checked, not trusted: one whose <c>id</c> is not its file name, or whose <c>file</c> is outside the folder
/// (by <c>..</c>, an absolute path or a symbolic link), is refused. The image is then not found, the same answer as for an
/// image that does not exist, and the refusal is logged as an error naming the manifest (event 4011). A manifest whose
/// <c>disk_format</c> is not one of the formats above fails with an <see cref="InvalidDataException"/> naming the image and the value.
/// </remarks>
public sealed partial class FolderImageService : IImageService
{
    private const int CopyBufferSize = 1 << 20;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _manifestLock = new(1, 1);

    /// <summary>Creates the service over a folder, which is created when missing.</summary>
    /// <param name="folder">The folder holding the images and their manifests.</param>
    /// <param name="timeProvider">The clock for <c>updated_at</c>; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; default none.</param>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    public FolderImageService(string folder, TimeProvider? timeProvider = null, ILogger<FolderImageService>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The full path of the folder.</summary>
    public string Folder { get; }

    /// <summary>
    /// Adds (or replaces) an image by copying <paramref name="data"/> to its end into the folder as <c>&lt;id&gt;.raw</c>,
    /// computing its sha256 on the way, then inspecting the copy with <see cref="DiskImageInspector"/>: its disk format is
    /// detected, or checked when <see cref="FolderImage.DiskFormat"/> claims one. Its <c>updated_at</c> is now, so volumes
    /// cached from an earlier version are stale.
    /// </summary>
    /// <param name="image">The image's id, owner, visibility and claimed disk format.</param>
    /// <param name="data">The image data, in any of the disk formats.</param>
    /// <param name="cancellationToken">Cancels the copy; then nothing is added.</param>
    /// <returns>The image as its owner sees it, with its disk format and (when not raw) its virtual size.</returns>
    /// <exception cref="ArgumentException">The id is not a plain file name, or the claimed disk format is not one of the formats above.</exception>
    /// <exception cref="ImageUnacceptableException">The inspector refused the data (unsafe, or not the claimed format); nothing is added.</exception>
    public async ValueTask<ImageInfo> AddImageAsync(FolderImage image, Stream data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(data);
        string fileName = ValidId(image.Id) + ".raw";
        string path = Path.Combine(Folder, fileName);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        string? claimed = ClaimedDiskFormat(image);
        long size;
        string checksum;
        InspectedFormat inspected;
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                byte[] buffer = new byte[CopyBufferSize];
                int read;
                while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    sha256.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                size = file.Length;
                checksum = Convert.ToHexStringLower(sha256.GetHashAndReset());
            }

            inspected = await InspectAsync(image.Id, temporary, claimed, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        ImageManifest manifest = NewManifest(image, fileName, size, inspected) with { Checksum = checksum };
        WriteManifest(manifest);
        return ToImageInfo(manifest);
    }

    /// <summary>
    /// Adds (or replaces) an image whose data is an existing file (for example a downloaded cloud image in raw format),
    /// without copying it when it can: a file inside the folder is recorded by its path in the folder; a file elsewhere is
    /// hard-linked into the folder as <c>&lt;id&gt;.raw</c> (copied when it is on another file system). Its checksum is
    /// computed on first use and kept in the manifest. The file is first inspected with <see cref="DiskImageInspector"/>:
    /// its disk format is detected, or checked when <see cref="FolderImage.DiskFormat"/> claims one.
    /// </summary>
    /// <param name="image">The image's id, owner, visibility and claimed disk format.</param>
    /// <param name="filePath">The image's data file, in any of the disk formats.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The image as its owner sees it, with its disk format and (when not raw) its virtual size, without a checksum until
    /// first described.
    /// </returns>
    /// <exception cref="ArgumentException">The id is not a plain file name, or the claimed disk format is not one of the formats above.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageUnacceptableException">The inspector refused the file (unsafe, or not the claimed format); nothing is added.</exception>
    public async ValueTask<ImageInfo> AddImageFileAsync(FolderImage image, string filePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        cancellationToken.ThrowIfCancellationRequested();
        ValidId(image.Id);
        string? claimed = ClaimedDiskFormat(image);
        var file = new FileInfo(Path.GetFullPath(filePath));
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Image file {file.FullName} for image '{image.Id}' does not exist.", file.FullName);
        }

        InspectedFormat inspected = await InspectAsync(image.Id, file.FullName, claimed, cancellationToken).ConfigureAwait(false);
        string name = ContainedPath.RelativePathInside(file.FullName, Folder) ?? LinkIntoFolder(image.Id, file.FullName);
        ImageManifest manifest = NewManifest(image, name, file.Length, inspected);
        WriteManifest(manifest);
        return ToImageInfo(manifest);
    }

    /// <summary>Makes <c>&lt;id&gt;.raw</c> in the folder a hard link to a file elsewhere, or a copy across file systems; returns its name.</summary>
    private string LinkIntoFolder(string imageId, string source)
    {
        string name = imageId + ".raw";
        string path = Path.Combine(Folder, name);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        string real = ContainedPath.RealPath(source) ?? source;
        try
        {
            if (OperatingSystem.IsWindows() || LinuxFileOps.TryHardLink(real, temporary) != 0)
            {
                File.Copy(real, temporary);
            }

            File.Move(temporary, path, overwrite: true);
            return name;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>An image without a checksum gets one now (read once, then kept in its manifest).</remarks>
    public async ValueTask<ImageInfo> GetImageAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
    {
        ImageManifest manifest = Find(context, imageId);
        if (manifest.Checksum is null)
        {
            manifest = await AddChecksumAsync(manifest, cancellationToken).ConfigureAwait(false);
        }

        return ToImageInfo(manifest);
    }

    /// <inheritdoc/>
    public ValueTask<Stream> OpenReadAsync(RequestContext context, string imageId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ImageManifest manifest = Find(context, imageId);
        return ValueTask.FromResult<Stream>(OpenData(manifest, FileOptions.Asynchronous | FileOptions.SequentialScan));
    }

    private ImageManifest NewManifest(FolderImage image, string file, long size, InspectedFormat inspected) => new()
    {
        Id = image.Id,
        Name = image.Name ?? image.Id,
        Owner = image.OwnerProjectId,
        Visibility = image.Visibility == ImageVisibility.Private ? "private" : "public",
        DiskFormat = inspected.DiskFormat,
        VirtualSize = inspected.VirtualSize,
        UpdatedAt = _timeProvider.GetUtcNow(),
        Size = size,
        File = file,
    };

    private async ValueTask<ImageManifest> AddChecksumAsync(ImageManifest manifest, CancellationToken cancellationToken)
    {
        await _manifestLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have computed it while this one waited.
            ImageManifest current = ReadManifest(manifest.Id) ?? manifest;
            if (current.Checksum is not null)
            {
                return current;
            }

            FileStream file = OpenData(current, FileOptions.Asynchronous);
            await using ConfiguredAsyncDisposable fileScope = file.ConfigureAwait(false);
            byte[] hash = await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
            ImageManifest updated = current with { Checksum = Convert.ToHexStringLower(hash), Size = file.Length };
            WriteManifest(updated);
            Log.ImageChecksumComputed(_logger, updated.Id, updated.Size);
            return updated;
        }
        finally
        {
            _manifestLock.Release();
        }
    }

    private ImageManifest Find(RequestContext context, string imageId)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(imageId);
        ImageManifest? manifest = IsPlainFileName(imageId) ? ReadManifest(imageId) : null;
        if (manifest is not null && (manifest.IsPublic || context.IsAdmin || manifest.Owner == context.ProjectId))
        {
            return manifest;
        }

        throw new ImageNotFoundException(imageId);
    }

    private ImageManifest? ReadManifest(string imageId)
    {
        string path = ManifestPath(imageId);
        if (!File.Exists(path))
        {
            return null;
        }

        ImageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(path), ImageJsonContext.Default.ImageManifest);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The manifest {path} of image '{imageId}' is not valid JSON: {ex.Message}", ex);
        }

        if (manifest is not null && Refusal(imageId, manifest) is { } reason)
        {
            Log.ManifestRefused(_logger, path, imageId, reason);
            return null;
        }

        return manifest is null ? null : manifest with { DiskFormat = KnownDiskFormat(path, manifest) };
    }

    /// <summary>Why a manifest read as <paramref name="imageId"/> cannot be trusted; <see langword="null"/> when it can.</summary>
    private string? Refusal(string imageId, ImageManifest manifest)
    {
        if (!string.Equals(manifest.Id, imageId, StringComparison.Ordinal))
        {
            return $"its id '{manifest.Id}' is not its file name '{imageId}'.";
        }

        string data = DataPath(manifest);
        if (!ContainedPath.IsLexicallyInside(data, Folder))
        {
            return $"its file '{manifest.File}' is outside the folder {Folder}.";
        }

        // A missing data file is not refused here: reading it fails as for any other image whose data is gone.
        return File.Exists(data) && ContainedPath.RealPathInside(data, Folder) is null
            ? $"its file '{manifest.File}' is a symbolic link to outside the folder {Folder}."
            : null;
    }

    /// <summary>
    /// Opens an image's data file, checking after opening that the file opened is inside the folder (a data file swapped
    /// for a symbolic link since its manifest was read is refused, and the image not found).
    /// </summary>
    private FileStream OpenData(ImageManifest manifest, FileOptions options)
    {
        SafeFileHandle handle = File.OpenHandle(DataPath(manifest), FileMode.Open, FileAccess.Read, FileShare.Read, options);
        if (!ContainedPath.IsOpenInside(handle, Folder))
        {
            handle.Dispose();
            Log.ManifestRefused(_logger, ManifestPath(manifest.Id), manifest.Id, $"its file '{manifest.File}' became a link to outside the folder {Folder}.");
            throw new ImageNotFoundException(manifest.Id);
        }

        return new FileStream(handle, FileAccess.Read, CopyBufferSize, isAsync: (options & FileOptions.Asynchronous) != 0);
    }

    private void WriteManifest(ImageManifest manifest) =>
        AtomicFile.Write(ManifestPath(manifest.Id), JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest));

    private string ManifestPath(string imageId) => Path.Combine(Folder, imageId + ".json");

    private string DataPath(ImageManifest manifest) => Path.GetFullPath(Path.Combine(Folder, manifest.File));

    private ImageInfo ToImageInfo(ImageManifest manifest) => new(manifest.Id, manifest.Size, manifest.UpdatedAt)
    {
        Name = manifest.Name,
        Owner = manifest.Owner,
        DiskFormat = manifest.DiskFormat ?? "raw",
        VirtualSizeBytes = manifest.VirtualSize,
        ContainerFormat = manifest.ContainerFormat,
        Checksum = manifest.Checksum,
        ChecksumAlgorithm = "sha256",
        Locations = [new Uri(DataPath(manifest)).AbsoluteUri],
    };

    private static bool IsPlainFileName(string id) =>
        id.Length > 0 && id is not "." and not ".." && id.IndexOfAny(Path.GetInvalidFileNameChars()) < 0
        && !id.Contains('/', StringComparison.Ordinal) && !id.Contains('\\', StringComparison.Ordinal);

    private static string ValidId(string imageId) =>
        IsPlainFileName(imageId) ? imageId : throw new ArgumentException($"Image id '{imageId}' is not a plain file name.", nameof(imageId));
}
