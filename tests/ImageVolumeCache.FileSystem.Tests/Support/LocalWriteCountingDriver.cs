namespace ImageVolumeCache.FileSystem.Tests.Support;

/// <summary>The file-system driver, counting the volumes written through their local path and the image copies.</summary>
public sealed class LocalWriteCountingDriver(FileSystemVolumeDriver inner) : IVolumeDriver, ILocalVolumeAccess
{
    private int _localWrites;
    private int _copies;

    public int LocalWrites => Volatile.Read(ref _localWrites);

    public int Copies => Volatile.Read(ref _copies);

    public ValueTask<string?> BeginLocalWriteAsync(string volumeId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _localWrites);
        return inner.BeginLocalWriteAsync(volumeId, cancellationToken);
    }

    public ValueTask CompleteLocalWriteAsync(string volumeId, ImageInfo image, CancellationToken cancellationToken) =>
        inner.CompleteLocalWriteAsync(volumeId, image, cancellationToken);

    public ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _copies);
        return inner.CopyImageToVolumeAsync(volumeId, image, data, cancellationToken);
    }

    public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) => inner.TryCloneImageAsync(target, image, cancellationToken);

    public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken) => inner.CreateVolumeAsync(volume, cancellationToken);

    public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) => inner.CloneVolumeAsync(target, sourceVolumeId, cancellationToken);

    public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) => inner.ExtendVolumeAsync(volumeId, newSizeGb, cancellationToken);

    public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) => inner.DeleteVolumeAsync(volumeId, cancellationToken);

    public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) => inner.ListVolumesAsync(cancellationToken);

    public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) => inner.GetVolumeAsync(volumeId, cancellationToken);
}
