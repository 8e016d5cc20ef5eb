namespace ImageVolumeCache.FileSystem.Interop;

/// <summary>Writes small files so that a reader (or a crash) sees either the old content or the new, never half of it.</summary>
internal static class AtomicFile
{
    /// <summary>The name of a temporary file is the target's name, a dot, 32 hex digits and this.</summary>
    public const string TemporaryExtension = ".tmp";

    /// <summary>Writes <paramref name="content"/> to a temporary file beside <paramref name="path"/>, flushes it, then renames it over the path.</summary>
    public static void Write(string path, byte[] content) => Commit(Prepare(path, content), path, content);

    /// <summary>Writes <paramref name="content"/> to a new temporary file beside <paramref name="path"/> and flushes it; returns its path.</summary>
    public static string Prepare(string path, byte[] content)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}{TemporaryExtension}";
        try
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            stream.Write(content);
            stream.Flush(flushToDisk: true);
            return temporary;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Renames a file made by <see cref="Prepare"/> over <paramref name="path"/>. When the temporary file is gone (removed
    /// as a leftover by another process's listing), writes <paramref name="content"/> again the same way.
    /// </summary>
    public static void Commit(string temporary, string path, byte[] content)
    {
        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch (FileNotFoundException) when (!File.Exists(temporary))
        {
            File.Move(Prepare(path, content), path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
