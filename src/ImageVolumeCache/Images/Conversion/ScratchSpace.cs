using System.ComponentModel;
using System.Diagnostics;
using ImageVolumeCache.Configuration;
using ImageVolumeCache.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.Images.Conversion;

/// <summary>
/// The scratch folder of <see cref="DiskImageConversionOptions.ScratchDirectory"/>: a folder per request, a free-space
/// check before each use, and a sweep of the folders that crashed processes left. Processes (and hosts) may share one
/// scratch folder: each request's folder is named by a new GUID and guarded by a lock file that only its maker holds.
/// </summary>
internal sealed class ScratchSpace(
    IOptionsMonitor<ImageVolumeCacheOptions> options,
    ImageVolumeCacheConfigurationPath path,
    TimeProvider time,
    ILogger<ScratchSpace> logger)
{
    private const string LockSuffix = ".lock";
    private const string PendingSuffix = ".lock-pending";

    /// <summary>A lock file is claimed under a pending name, then renamed; a pending name older than this was left by a crash.</summary>
    private static readonly TimeSpan PendingLockAge = TimeSpan.FromMinutes(1);

    private readonly Lock _sweepGate = new();
    private string? _sweptRoot;

    /// <summary>The scratch folder, as configured or the default under the system's temporary folder.</summary>
    public string Root => options.CurrentValue.Conversion.ScratchDirectory is { Length: > 0 } configured
        ? configured
        : Path.Combine(Path.GetTempPath(), "imagevolumecache-scratch");

    /// <summary>
    /// Makes a new, empty folder for one request, after checking that <paramref name="requiredBytes"/> are free. The
    /// first call in a process (for each configured folder) sweeps leftovers first.
    /// </summary>
    /// <exception cref="InsufficientScratchSpaceException">Less than <paramref name="requiredBytes"/> are free.</exception>
    public ScratchFolder Create(string imageId, long requiredBytes, string needs)
    {
        string root = Root;
        Directory.CreateDirectory(root);
        SweepOnce(root);
        EnsureRoom(imageId, root, requiredBytes, needs);

        string name = Guid.NewGuid().ToString("N");
        string pending = Path.Combine(root, name + PendingSuffix);
        string lockPath = Path.Combine(root, name + LockSuffix);
        var held = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        try
        {
            // Renamed only once it is locked, so a sweep never sees an unlocked lock file of a live folder.
            File.Move(pending, lockPath);
            string folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            return new ScratchFolder(folder, lockPath, held, logger);
        }
        catch
        {
            held.Dispose();
            File.Delete(pending);
            File.Delete(lockPath);
            throw;
        }
    }

    /// <summary>Checks that the file system of <paramref name="directory"/> has <paramref name="requiredBytes"/> free.</summary>
    /// <exception cref="InsufficientScratchSpaceException">It has less.</exception>
    public void EnsureRoom(string imageId, string directory, long requiredBytes, string needs)
    {
        long available = new DriveInfo(directory).AvailableFreeSpace;
        if (available < requiredBytes)
        {
            throw new InsufficientScratchSpaceException(
                imageId,
                directory,
                requiredBytes,
                available,
                $"Image '{imageId}' needs {requiredBytes} bytes of scratch space ({needs}), but the scratch folder {directory} has {available} bytes free. "
                + $"Free space there, or set {path.Key("Conversion:ScratchDirectory")} to a folder on a larger file system.");
        }
    }

    /// <summary>Sweeps the configured folder now; used at start-up.</summary>
    public void SweepAtStartup()
    {
        string root = Root;
        if (Directory.Exists(root))
        {
            SweepOnce(root);
        }
    }

    private void SweepOnce(string root)
    {
        lock (_sweepGate)
        {
            if (string.Equals(_sweptRoot, root, StringComparison.Ordinal))
            {
                return;
            }

            Sweep(root);
            _sweptRoot = root;
        }
    }

    /// <summary>
    /// Removes every request folder whose lock no process holds (its maker crashed, or was killed), and every folder
    /// without a lock file. Folders in use, in this process or another, are left alone.
    /// </summary>
    internal int Sweep(string root)
    {
        int removed = 0;
        foreach (string lockPath in Directory.EnumerateFiles(root, "*" + LockSuffix))
        {
            if (TryRemoveAbandoned(lockPath, Path.Combine(root, Path.GetFileNameWithoutExtension(lockPath))))
            {
                removed++;
            }
        }

        foreach (string pending in Directory.EnumerateFiles(root, "*" + PendingSuffix))
        {
            if (time.GetUtcNow() - File.GetLastWriteTimeUtc(pending) > PendingLockAge)
            {
                TryRemoveAbandoned(pending, folder: null);
            }
        }

        foreach (string folder in Directory.EnumerateDirectories(root))
        {
            if (!File.Exists(folder + LockSuffix) && RemoveFolder(folder))
            {
                removed++;
            }
        }

        return removed;
    }

    private bool TryRemoveAbandoned(string lockPath, string? folder)
    {
        FileStream probe;
        try
        {
            probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // held: in use by a live process (or gone meanwhile)
        }

        using (probe)
        {
            if (folder is not null)
            {
                KillOrphans(folder);
            }

            bool removed = folder is null || !Directory.Exists(folder) || RemoveFolder(folder);
            if (removed)
            {
                File.Delete(lockPath);
            }

            return removed && folder is not null;
        }
    }

    /// <summary>
    /// Kills what still runs on an abandoned folder: the qemu-img of a process that was killed mid-conversion outlives it
    /// (nothing kills a child when its parent dies), reading the folder's download and writing a volume. It is found by
    /// its command line, an argument of which names the folder's download (a path with a GUID that nothing else names).
    /// </summary>
    private void KillOrphans(string folder)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc"))
        {
            return;
        }

        string download = Path.Combine(folder, "image");
        foreach (string entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out int pid) || !NamesPath(entry, download))
            {
                continue;
            }

            try
            {
                using Process orphan = Process.GetProcessById(pid);
                orphan.Kill(entireProcessTree: true);
                orphan.WaitForExit(TimeSpan.FromSeconds(10));
                Log.ScratchOrphanKilled(logger, pid, folder);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or Win32Exception)
            {
                // It exited meanwhile, or is not ours to kill.
            }
        }
    }

    /// <summary>Whether an argument of the process names <paramref name="path"/> (qemu-img gets it inside a <c>json:</c> specification).</summary>
    private static bool NamesPath(string procEntry, string path)
    {
        string commandLine;
        try
        {
            commandLine = File.ReadAllText(Path.Combine(procEntry, "cmdline"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        foreach (Range range in commandLine.AsSpan().Split('\0'))
        {
            if (commandLine.AsSpan()[range].Contains(path, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private bool RemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
            Log.ScratchLeftoverRemoved(logger, folder);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.ScratchRemovalFailed(logger, ex, folder);
            return false;
        }
    }
}
