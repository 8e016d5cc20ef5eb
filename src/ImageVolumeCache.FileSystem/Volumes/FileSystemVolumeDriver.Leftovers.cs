using System.Text.RegularExpressions;
using ImageVolumeCache.FileSystem.Diagnostics;
using ImageVolumeCache.FileSystem.Interop;
using ImageVolumeCache.FileSystem.Volumes;

namespace ImageVolumeCache.FileSystem;

/// <summary>
/// What a crash can leave behind, and how it is cleared: a pending sidecar beside a volume file that was being made, a
/// sidecar or temporary sidecar whose volume file is gone (a delete or a create cut short).
/// </summary>
public sealed partial class FileSystemVolumeDriver
{
    /// <summary>Deletes a volume's files: the volume file first, so that whatever a crash leaves is a leftover the listing removes.</summary>
    private void DeleteFiles(string volumeId, string path)
    {
        File.Delete(path);
        foreach (string temporary in PendingSidecars(volumeId))
        {
            File.Delete(temporary);
        }

        File.Delete(SidecarPath(volumeId));
    }

    /// <summary>The sidecar written before the volume file was claimed, when the sidecar itself is missing (a crash before it was renamed into place).</summary>
    private VolumeRecord? ReadPendingRecord(string volumeId) =>
        PendingSidecars(volumeId)
            .Select(ReadRecordFile)
            .FirstOrDefault(record => record is not null && string.Equals(record.Id, volumeId, StringComparison.Ordinal));

    /// <summary>
    /// The temporary sidecars of one volume, matched by exact name: the pattern of the enumeration is a constant, never
    /// built from the id (a pattern <c>a.json.*.tmp</c> would also match the sidecars of a volume <c>a.json.x</c>).
    /// </summary>
    private IEnumerable<string> PendingSidecars(string volumeId) =>
        System.IO.Directory.EnumerateFiles(Directory, "*" + AtomicFile.TemporaryExtension)
            .Where(path => TemporarySidecarName().Match(Path.GetFileName(path)) is { Success: true } match
                && string.Equals(match.Groups["id"].Value, volumeId, StringComparison.Ordinal))
            .ToList();

    /// <summary>
    /// Removes sidecars and temporary sidecars whose volume file does not exist, except those of volumes this instance is
    /// about to claim. A sidecar is renamed into place only after its volume file was claimed, so one without its volume
    /// file was left by a delete or a failed create cut short. A temporary sidecar of another process's create, removed
    /// in the instant before that process claims its volume file, is written again by that process.
    /// </summary>
    private void RemoveLeftovers()
    {
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + SidecarExtension + "*"))
        {
            string? volumeId = LeftoverVolumeId(path);
            if (volumeId is null || _preparing.ContainsKey(volumeId) || File.Exists(Path.Combine(Directory, volumeId + DataExtension)))
            {
                continue;
            }

            try
            {
                File.Delete(path);
                Log.LeftoverRemoved(_logger, path, volumeId, _backend);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.CleanupFailed(_logger, ex, volumeId, _backend, path);
            }
        }
    }

    /// <summary>The volume id of a sidecar (one whose record names that id) or of a temporary sidecar; else <see langword="null"/>.</summary>
    private static string? LeftoverVolumeId(string path)
    {
        string fileName = Path.GetFileName(path);
        Match temporary = TemporarySidecarName().Match(fileName);
        if (temporary.Success)
        {
            return IsValidId(temporary.Groups["id"].Value) ? temporary.Groups["id"].Value : null;
        }

        if (!fileName.EndsWith(SidecarExtension, StringComparison.Ordinal))
        {
            return null;
        }

        // Only a file that really is a sidecar: a backend directory may hold other JSON files.
        string volumeId = fileName[..^SidecarExtension.Length];
        return IsValidId(volumeId) && ReadRecordFile(path) is { } record
            && string.Equals(record.Id, volumeId, StringComparison.Ordinal) ? volumeId : null;
    }

    [GeneratedRegex(@"^(?<id>.+)\.json\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporarySidecarName();
}
