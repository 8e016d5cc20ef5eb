using System.Runtime.CompilerServices;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>
/// A driver that does nothing and completes synchronously, so that what is measured is the library alone. Its clone is
/// never inlined, as a real driver's call never is, so that the baseline that calls it directly stays a real call.
/// </summary>
public sealed class NoOpVolumeDriver : IVolumeDriver
{
    // The specs of the volumes made, so that a check of a cache volume by the cache finds it as the pipeline made it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, VolumeSpec> _made = new(StringComparer.Ordinal);

    public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) => new(false);

    public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volume);
        _made[volume.Id] = volume;
        return default;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) => default;

    public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) => default;

    public async ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        // The pipeline verifies the image's size and checksum as it is read, so the data must be read to its end.
        await data.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken)
    {
        _made.TryRemove(volumeId, out _);
        return default;
    }

    public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) => new([]);

    public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) =>
        new(_made.TryGetValue(volumeId, out VolumeSpec? spec) ? new BackendVolume(spec) { ImageDataComplete = true } : null);
}
