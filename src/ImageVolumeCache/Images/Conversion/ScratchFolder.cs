using Microsoft.Extensions.Logging;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Images.Conversion;

/// <summary>
/// One request's folder in the scratch space: the downloaded image and, when the driver gives no local path, the raw
/// image converted from it. A lock file beside it, held open (an exclusive <c>flock</c>) for as long as the folder is in
/// use, tells every process's start-up sweep to leave it alone; the kernel drops the lock when the process dies, so a
/// crashed process's folder is swept. Disposing removes the folder, then the lock file.
/// </summary>
internal sealed class ScratchFolder : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _lockPath;
    private readonly ILogger _logger;
    private int _disposed;

    internal ScratchFolder(string path, string lockPath, FileStream heldLock, ILogger logger)
    {
        Path = path;
        _lockPath = lockPath;
        _lock = heldLock;
        _logger = logger;
    }

    /// <summary>The folder, made empty for this request.</summary>
    public string Path { get; }

    /// <summary>Where the image is downloaded.</summary>
    public string DownloadPath => System.IO.Path.Combine(Path, "image");

    /// <summary>Where the raw image is converted when it cannot go straight into the volume.</summary>
    public string ConvertedPath => System.IO.Path.Combine(Path, "converted.raw");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
            File.Delete(_lockPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.ScratchRemovalFailed(_logger, ex, Path);
        }
        finally
        {
            _lock.Dispose();
        }
    }
}
