namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>A driver that prints "begin &lt;operation&gt; &lt;volume&gt;" and "end &lt;operation&gt; &lt;volume&gt;" around each call of another.</summary>
internal sealed class ProgressDriver(IVolumeDriver inner, TextWriter output) : IVolumeDriver
{
    public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) =>
        inner.TryCloneImageAsync(target, image, cancellationToken);

    public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken) =>
        AroundAsync("create", volume.Id, () => inner.CreateVolumeAsync(volume, cancellationToken));

    public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken) =>
        AroundAsync("clone", target.Id, () => inner.CloneVolumeAsync(target, sourceVolumeId, cancellationToken));

    public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken) =>
        AroundAsync("extend", volumeId, () => inner.ExtendVolumeAsync(volumeId, newSizeGb, cancellationToken));

    public ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken) =>
        AroundAsync("copy", volumeId, () => inner.CopyImageToVolumeAsync(volumeId, image, data, cancellationToken));

    public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken) =>
        AroundAsync("delete", volumeId, () => inner.DeleteVolumeAsync(volumeId, cancellationToken));

    public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) =>
        inner.ListVolumesAsync(cancellationToken);

    public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) =>
        inner.GetVolumeAsync(volumeId, cancellationToken);

    private async ValueTask AroundAsync(string operation, string volumeId, Func<ValueTask> call)
    {
        output.WriteLine($"begin {operation} {volumeId}");
        await call();
        output.WriteLine($"end {operation} {volumeId}");
    }
}
