using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using ImageVolumeCache.FileSystem.Diagnostics;
using ImageVolumeCache.FileSystem.Images;
using ImageVolumeCache.FileSystem.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageVolumeCache.FileSystem;

/// <summary>
/// An <see cref="IImageService"/> over a folder: each image is a raw data file with a JSON manifest
/// <c>&lt;image-id&gt;.json</c> (id, name, owner project, visibility, disk format, <c>updated_at</c>, size, sha256 checksum).
/// A private image is visible only to its owner project and administrators; to anyone else it does not exist. Images
/// carry their file as a <c>file://</c> location, so a driver on the same file system can clone it directly. Thread-safe.
/// </summary>
public sealed class FolderImageService : IImageService
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
    /// computing its sha256 on the way. Its <c>updated_at</c> is now, so volumes cached from an earlier version are stale.
    /// </summary>
    /// <param name="image">The image's id, owner and visibility.</param>
    /// <param name="data">The image data (raw).</param>
    /// <param name="cancellationToken">Cancels the copy; then nothing is added.</param>
    /// <returns>The image as its owner sees it.</returns>
    /// <exception cref="ArgumentException">The id is not a plain file name.</exception>
    public async ValueTask<ImageInfo> AddImageAsync(FolderImage image, Stream data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(data);
        string fileName = ValidId(image.Id) + ".raw";
        string path = Path.Combine(Folder, fileName);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        long size;
        string checksum;
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

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        ImageManifest manifest = NewManifest(image, fileName, size) with { Checksum = checksum };
        WriteManifest(manifest);
        return ToImageInfo(manifest);
    }

    /// <summary>
    /// Adds (or replaces) an image whose data stays in an existing file (for example a downloaded cloud image in raw
    /// format). Its checksum is computed on first use and kept in the manifest.
    /// </summary>
    /// <param name="image">The image's id, owner and visibility.</param>
    /// <param name="filePath">The image's data file.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image as its owner sees it, without a checksum until first described.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public ValueTask<ImageInfo> AddImageFileAsync(FolderImage image, string filePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        cancellationToken.ThrowIfCancellationRequested();
        ValidId(image.Id);
        var file = new FileInfo(Path.GetFullPath(filePath));
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Image file {file.FullName} for image '{image.Id}' does not exist.", file.FullName);
        }

        ImageManifest manifest = NewManifest(image, file.FullName, file.Length);
        WriteManifest(manifest);
        return ValueTask.FromResult(ToImageInfo(manifest));
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
        Stream stream = new FileStream(DataPath(manifest), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = CopyBufferSize,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        return ValueTask.FromResult(stream);
    }

    private ImageManifest NewManifest(FolderImage image, string file, long size) => new()
    {
        Id = image.Id,
        Name = image.Name ?? image.Id,
        Owner = image.OwnerProjectId,
        Visibility = image.Visibility == ImageVisibility.Private ? "private" : "public",
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

            var file = new FileStream(DataPath(current), FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, useAsync: true);
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

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ImageJsonContext.Default.ImageManifest);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The manifest {path} of image '{imageId}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private void WriteManifest(ImageManifest manifest) =>
        AtomicFile.Write(ManifestPath(manifest.Id), JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest));

    private string ManifestPath(string imageId) => Path.Combine(Folder, imageId + ".json");

    private string DataPath(ImageManifest manifest) => Path.Combine(Folder, manifest.File);

    private ImageInfo ToImageInfo(ImageManifest manifest) => new(manifest.Id, manifest.Size, manifest.UpdatedAt)
    {
        Name = manifest.Name,
        DiskFormat = manifest.DiskFormat,
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
