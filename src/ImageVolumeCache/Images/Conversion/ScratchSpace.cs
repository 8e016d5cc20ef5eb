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

    /// <summary>Folders and files of the scratch space are the service's alone: rwx for its user, nothing for anyone else.</summary>
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The scratch folder, as configured or the default in the user's own application data.</summary>
    public string Root => options.CurrentValue.Conversion.ScratchDirectory is { Length: > 0 } configured ? configured : DefaultRoot;

    /// <summary>
    /// <c>imagevolumecache/scratch</c> in the user's local application data (<c>~/.local/share</c>), a folder of the
    /// service's user, not a shared one such as <c>/tmp</c> where another user could make the folder first; the system's
    /// temporary folder only when there is no such folder.
    /// </summary>
    internal static string DefaultRoot
    {
        get
        {
            string data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(data)
                ? Path.Combine(Path.GetTempPath(), "imagevolumecache-scratch")
                : Path.Combine(data, "imagevolumecache", "scratch");
        }
    }

    /// <summary>
    /// Makes a new, empty folder for one request, after checking that <paramref name="requiredBytes"/> are free. The
    /// first call in a process (for each configured folder) sweeps leftovers first.
    /// </summary>
    /// <exception cref="InsufficientScratchSpaceException">Less than <paramref name="requiredBytes"/> are free.</exception>
    public ScratchFolder Create(string imageId, long requiredBytes, string needs)
    {
        string root = Root;
        PrepareRoot(root);
        SweepOnce(root);
        EnsureRoom(imageId, root, requiredBytes, needs);

        string name = Guid.NewGuid().ToString("N");
        string pending = Path.Combine(root, name + PendingSuffix);
        string lockPath = Path.Combine(root, name + LockSuffix);
        var lockOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 };
        if (!OperatingSystem.IsWindows())
        {
            lockOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var held = new FileStream(pending, lockOptions);
        try
        {
            // Renamed only once it is locked, so a sweep never sees an unlocked lock file of a live folder.
            File.Move(pending, lockPath);
            string folder = Path.Combine(root, name);
            CreatePrivateDirectory(folder);
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

    /// <summary>
    /// Makes the scratch folder (rwx for the service's user only) when it is missing, and refuses one that others could
    /// tamper with: a symbolic link, or a folder that other users may write (such as <c>/tmp</c> or <c>/var/tmp</c>
    /// themselves), where they could swap a download between its inspection and its conversion.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder is a symbolic link, or writable by other users; the message names the option.</exception>
    private void PrepareRoot(string root)
    {
        if (!Directory.Exists(root))
        {
            CreatePrivateDirectory(root);
        }

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var info = new DirectoryInfo(root);
        string key = path.Key("Conversion:ScratchDirectory");
        if (info.LinkTarget is not null)
        {
            throw new InvalidOperationException($"The scratch folder {root} ({key}) is a symbolic link; give the folder itself.");
        }

        if ((info.UnixFileMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException(
                $"The scratch folder {root} ({key}) may be written by other users (mode {Convert.ToString((int)info.UnixFileMode, 8)}), who could swap an image between its inspection and its conversion; "
                + "give a folder that only the service's user writes, such as a new folder inside it.");
        }
    }

    private static void CreatePrivateDirectory(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, Private);
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
        // Only names this class makes (32 hex digits) are touched: whatever else an operator keeps there is left alone.
        foreach (string lockPath in Directory.EnumerateFiles(root, "*" + LockSuffix).Where(f => IsRequestName(Path.GetFileName(f)[..^LockSuffix.Length])))
        {
            if (TryRemoveAbandoned(lockPath, Path.Combine(root, Path.GetFileNameWithoutExtension(lockPath))))
            {
                removed++;
            }
        }

        foreach (string pending in Directory.EnumerateFiles(root, "*" + PendingSuffix).Where(f => IsRequestName(Path.GetFileName(f)[..^PendingSuffix.Length])))
        {
            if (time.GetUtcNow() - File.GetLastWriteTimeUtc(pending) > PendingLockAge)
            {
                TryRemoveAbandoned(pending, folder: null);
            }
        }

        foreach (string folder in Directory.EnumerateDirectories(root).Where(d => IsRequestName(Path.GetFileName(d))))
        {
            if (!File.Exists(folder + LockSuffix) && RemoveFolder(folder))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Whether <paramref name="name"/> is a request folder's name: a GUID as 32 lower-case hex digits.</summary>
    private static bool IsRequestName(string name) =>
        name.Length == 32 && name.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

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
