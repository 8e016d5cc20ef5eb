using ImageVolumeCache.FileSystem;

namespace ImageVolumeCache.Cli.TestPlugin;

/// <summary>
/// A driver of the host's own: volumes are files (a <see cref="FileSystemVolumeDriver"/> does the work), and every call
/// is written, one line each, to a journal file, so a test sees that ivc went through this driver.
/// </summary>
public sealed class JournalingDriver(FileSystemVolumeDriver inner, string journal) : IVolumeDriver
{
    public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) =>
        Note(nameof(TryCloneImageAsync), target.Id, () => inner.TryCloneImageAsync(target, image, cancellationToken));

    public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken) =>
        Note(nameof(CreateVolumeAsync), volume.Id, () => inner.CreateVolumeAsync(volume, cancellationToken));

    public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) =>
        Note(nameof(CloneVolumeAsync), target.Id, () => inner.CloneVolumeAsync(target, sourceVolumeId, cancellationToken));

    public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) =>
        Note(nameof(ExtendVolumeAsync), volumeId, () => inner.ExtendVolumeAsync(volumeId, newSizeGb, cancellationToken));

    public ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken) =>
        Note(nameof(CopyImageToVolumeAsync), volumeId, () => inner.CopyImageToVolumeAsync(volumeId, image, data, cancellationToken));

    public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) =>
        Note(nameof(DeleteVolumeAsync), volumeId, () => inner.DeleteVolumeAsync(volumeId, cancellationToken));

    public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) =>
        Note(nameof(ListVolumesAsync), "-", () => inner.ListVolumesAsync(cancellationToken));

    public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) =>
        Note(nameof(GetVolumeAsync), volumeId, () => inner.GetVolumeAsync(volumeId, cancellationToken));

    private async ValueTask Note(string call, string volumeId, Func<ValueTask> run)
    {
        await File.AppendAllTextAsync(journal, $"{call} {volumeId}\n");
        await run();
    }

    private async ValueTask<T> Note<T>(string call, string volumeId, Func<ValueTask<T>> run)
    {
        await File.AppendAllTextAsync(journal, $"{call} {volumeId}\n");
        return await run();
    }
}
