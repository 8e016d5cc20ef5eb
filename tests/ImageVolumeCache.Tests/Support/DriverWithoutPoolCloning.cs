using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Support;

/// <summary>The in-memory driver as a driver that does not implement <see cref="IPoolCloning"/> sees it: every call passed on, no pool capability.</summary>
internal sealed class DriverWithoutPoolCloning(InMemoryVolumeDriver inner) : IVolumeDriver
{
    public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) => inner.TryCloneImageAsync(target, image, cancellationToken);

    public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken) => inner.CreateVolumeAsync(volume, cancellationToken);

    public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) => inner.CloneVolumeAsync(target, sourceVolumeId, cancellationToken);

    public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) => inner.ExtendVolumeAsync(volumeId, newSizeGb, cancellationToken);

    public ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken) => inner.CopyImageToVolumeAsync(volumeId, image, data, cancellationToken);

    public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) => inner.DeleteVolumeAsync(volumeId, cancellationToken);

    public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) => inner.ListVolumesAsync(cancellationToken);

    public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) => inner.GetVolumeAsync(volumeId, cancellationToken);
}
