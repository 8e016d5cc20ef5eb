using System.Collections.Concurrent;
using ImageVolumeCache.FileSystem.Diagnostics;
using ImageVolumeCache.FileSystem.Volumes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem;

/// <summary>
/// An <see cref="IVolumeDriver"/> whose backend is a directory: each volume is a sparse file <c>&lt;volume-id&gt;.img</c> of
/// exactly its size, with a sidecar <c>&lt;volume-id&gt;.json</c> holding the <see cref="VolumeSpec"/> it was made with.
/// Clones are reflinks where the file system supports them (XFS with <c>reflink=1</c>, Btrfs), else in-kernel copies
/// that keep holes. Cache volumes (those whose metadata carries <see cref="CacheVolumeMetadata.CacheVolume"/>) are made
/// read-only on disk once their image data is complete. Thread-safe.
/// </summary>
/// <remarks>
/// Volume ids are file names, so every method takes only ids of a safe alphabet: 1 to 200 ASCII letters, digits, <c>-</c>,
/// <c>_</c> and <c>.</c>, not starting with <c>.</c> (UUIDs fit); any other id is an <see cref="ArgumentException"/>
/// naming it. A volume's files are found by their exact names, never by a pattern.
/// </remarks>
/// <remarks>
/// Every operation that makes a volume removes its <c>.img</c> and sidecar again when it fails or is cancelled. A crash
/// can still leave an <c>.img</c> without its sidecar (the sidecar is written right after the file is claimed):
/// <see cref="ListVolumesAsync"/> reports it with its id, the backend name as host and its size, and
/// <see cref="BackendVolume.ImageDataComplete"/> <see langword="false"/>, so reconciliation can delete it.
/// </remarks>
public sealed partial class FileSystemVolumeDriver : IVolumeDriver, IPoolCloning, ILocalVolumeAccess
{
    private const long BytesPerGb = 1L << 30;
    private const string DataExtension = ".img";
    private const string SidecarExtension = ".json";
    private const UnixFileMode ReadOnlyMode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _backend;
    private readonly bool _cloneImagesDirectly;
    private readonly string? _imageDirectory;
    private readonly ILogger _logger;

    /// <summary>Volumes this instance is about to claim: their pending sidecar exists, their volume file not yet.</summary>
    private readonly ConcurrentDictionary<string, byte> _preparing = new(StringComparer.Ordinal);
    private int _loggedCloneMethods;

    /// <summary>Creates a driver over a directory.</summary>
    /// <param name="options">The backend name and directory.</param>
    /// <param name="logger">The logger; default none.</param>
    /// <exception cref="ArgumentException">The backend name or directory is empty.</exception>
    public FileSystemVolumeDriver(FileSystemVolumeDriverOptions options, ILogger<FileSystemVolumeDriver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        _backend = options.BackendName;
        _cloneImagesDirectly = options.CloneImagesDirectly;
        Directory = Path.GetFullPath(options.Directory);
        _imageDirectory = options.ImageDirectory is null ? null : Path.GetFullPath(options.ImageDirectory);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        if (_cloneImagesDirectly && _imageDirectory is null)
        {
            Log.DirectImageClonesOff(_logger, _backend);
        }
    }

    /// <summary>The full path of the directory holding the volumes.</summary>
    public string Directory { get; }

    /// <summary>The full path of the folder whose image files direct image clones may read; <see langword="null"/> for none.</summary>
    internal string? ImageDirectory => _imageDirectory;

    /// <summary>Called with the offset before each block of data is written; may throw to simulate a failing disk. Tests only.</summary>
    internal Action<long>? BeforeWrite { get; set; }

    /// <summary>The path of a volume's data file, whether or not it exists.</summary>
    /// <param name="volumeId">The volume id.</param>
    /// <returns>The full path of <c>&lt;volume-id&gt;.img</c>.</returns>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    public string GetVolumePath(string volumeId) => Path.Combine(Directory, ValidId(volumeId) + DataExtension);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    /// <exception cref="DirectoryNotFoundException">The backend's directory does not exist.</exception>
    public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ValidId(volume.Id, nameof(volume));
        return MakeVolumeAsync(volume, static (_, _) => ValueTask.CompletedTask, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken)
    {
        string path = GetVolumePath(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureDirectory();
        try
        {
            long length = new FileInfo(path).Length;
            if ((long)newSizeGb * BytesPerGb <= length)
            {
                throw new ArgumentOutOfRangeException(nameof(newSizeGb), newSizeGb, $"Volume '{volumeId}' on backend '{_backend}' is already {SizeGbOf(length)} GB.");
            }

            WithWriteAccess(path, () =>
            {
                using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                RandomAccess.SetLength(handle, newSizeGb * BytesPerGb);
            });
        }
        catch (FileNotFoundException)
        {
            throw new VolumeNotFoundException(volumeId);
        }

        UpdateRecord(volumeId, record => record with { SizeGb = newSizeGb });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The volume's old content is discarded first, then all-zero blocks of the data are skipped, so the file stays
    /// sparse. The sidecar records <see cref="BackendVolume.ImageDataComplete"/> only after the data was read to its end
    /// and flushed to disk; then a cache volume becomes read-only (mode 0444).
    /// </remarks>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    /// <exception cref="ImageUnacceptableException">The data is larger than the volume.</exception>
    /// <exception cref="IOException">Writing failed (for example the disk is full); the message names the backend, volume and path.</exception>
    public async ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(data);
        string path = GetVolumePath(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureDirectory();
        VolumeRecord? record = BeginImageWrite(volumeId, path);
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            long capacity = DiscardContent(handle);
            await SparseCopy.CopyAsync(data, handle, capacity, read => TooLarge(image, volumeId, read, capacity), BeforeWrite, cancellationToken)
                .ConfigureAwait(false);
            RandomAccess.FlushToDisk(handle);
        }
        catch (FileNotFoundException)
        {
            throw new VolumeNotFoundException(volumeId); // deleted since it was checked
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw WriteFailed(volumeId, path, ex);
        }

        EndImageWrite(volumeId, path, record);
    }

    private ImageUnacceptableException TooLarge(ImageInfo image, string volumeId, long read, long capacity) =>
        new(image.Id, $"Image '{image.Id}' does not fit in volume '{volumeId}' on backend '{_backend}': more than {read} bytes of data for {capacity} bytes.");

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken)
    {
        string path = GetVolumePath(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!System.IO.Directory.Exists(Directory))
        {
            return ValueTask.CompletedTask;
        }

        if (OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetAttributes(path, FileAttributes.Normal);
        }

        DeleteFiles(volumeId, path);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="DirectoryNotFoundException">The backend's directory does not exist.</exception>
    public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureDirectory();
        RemoveLeftovers();
        var volumes = new List<BackendVolume>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + DataExtension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string id = Path.GetFileNameWithoutExtension(path);
            if (!IsValidId(id))
            {
                Log.VolumeFileNameInvalid(_logger, path, _backend);
                continue;
            }

            long length;
            try
            {
                length = new FileInfo(path).Length;
            }
            catch (FileNotFoundException)
            {
                continue; // deleted while listing
            }

            VolumeRecord? record = ReadRecord(id) ?? ReadPendingRecord(id);
            if (record is null)
            {
                Log.SidecarUnreadable(_logger, id, _backend, SidecarPath(id));
                volumes.Add(new BackendVolume(new VolumeSpec(id, _backend, SizeGbOf(length))));
                continue;
            }

            volumes.Add(new BackendVolume(record.ToSpec(SizeGbOf(length))) { ImageDataComplete = record.ImageDataComplete });
        }

        return ValueTask.FromResult<IReadOnlyList<BackendVolume>>(volumes);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The id is not of the driver's alphabet (see the class remarks).</exception>
    public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken)
    {
        string path = GetVolumePath(volumeId);
        cancellationToken.ThrowIfCancellationRequested();
        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (FileNotFoundException)
        {
            return ValueTask.FromResult<BackendVolume?>(null);
        }

        VolumeRecord? record = ReadRecord(volumeId) ?? ReadPendingRecord(volumeId);
        BackendVolume volume = record is null
            ? new BackendVolume(new VolumeSpec(volumeId, _backend, SizeGbOf(length)))
            : new BackendVolume(record.ToSpec(SizeGbOf(length))) { ImageDataComplete = record.ImageDataComplete };
        return ValueTask.FromResult<BackendVolume?>(volume);
    }
}
