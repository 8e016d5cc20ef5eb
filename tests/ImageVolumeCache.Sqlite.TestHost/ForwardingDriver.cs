namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>A driver that passes every call to another; the test host's drivers (and the tests') override the calls they watch.</summary>
public class ForwardingDriver(IVolumeDriver inner) : IVolumeDriver
{
    public IVolumeDriver Inner { get; } = inner;

    public virtual ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) => Inner.TryCloneImageAsync(target, image, cancellationToken);

    public virtual ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken) => Inner.CreateVolumeAsync(volume, cancellationToken);

    public virtual ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) => Inner.CloneVolumeAsync(target, sourceVolumeId, cancellationToken);

    public virtual ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) => Inner.ExtendVolumeAsync(volumeId, newSizeGb, cancellationToken);

    public virtual ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken) => Inner.CopyImageToVolumeAsync(volumeId, image, data, cancellationToken);

    public virtual ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) => Inner.DeleteVolumeAsync(volumeId, cancellationToken);

    public virtual ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) => Inner.ListVolumesAsync(cancellationToken);

    public virtual ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) => Inner.GetVolumeAsync(volumeId, cancellationToken);
}
