using System.Runtime.CompilerServices;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>
/// A driver that does nothing and completes synchronously, so that what is measured is the library alone. Its clone is
/// never inlined, as a real driver's call never is, so that the baseline that calls it directly stays a real call.
/// </summary>
public sealed class NoOpVolumeDriver : IVolumeDriver
{
    public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) => new(false);

    public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken) => default;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) => default;

    public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) => default;

    public async ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        // The pipeline verifies the image's size and checksum as it is read, so the data must be read to its end.
        await data.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) => default;

    public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) => new([]);

    public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) => new((BackendVolume?)null);
}
