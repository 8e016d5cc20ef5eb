using System.Collections.Concurrent;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Drivers;

/// <summary>The smallest driver of docs/writing-a-driver.md passes the contract (keep the two in step).</summary>
public sealed class SmallestDriverContractTests : VolumeDriverContractTests<SmallestDriverContractTests.DictionaryDriver>
{
    protected override DictionaryDriver CreateDriver() => new();

    protected override ValueTask<byte[]> ReadVolumeAsync(DictionaryDriver driver, string volumeId, int length) =>
        ValueTask.FromResult(driver.Read(volumeId, length));

    // From docs/writing-a-driver.md.
    public sealed class DictionaryDriver : IVolumeDriver, IPoolCloning
    {
        private readonly ConcurrentDictionary<string, Volume> _volumes = new();

        public bool CanCloneBetweenPools(string sourcePool, string targetPool) => true; // every pool is in this one dictionary

        public ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken) =>
            ValueTask.FromResult(false); // this backend never holds images itself

        public ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Add(new Volume(volume, [], Complete: false));
            return ValueTask.CompletedTask;
        }

        public ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Volume source = Get(sourceVolumeId);
            Add(new Volume(target, [.. source.Data], Complete: false));
            return ValueTask.CompletedTask;
        }

        public ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken)
        {
            Volume volume = Get(volumeId);
            _volumes[volumeId] = volume with { Spec = volume.Spec with { SizeGb = newSizeGb } };
            return ValueTask.CompletedTask;
        }

        public async ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
        {
            Volume volume = Get(volumeId);
            using var buffer = new MemoryStream();
            await data.CopyToAsync(buffer, cancellationToken); // a failure here leaves Complete false
            _volumes[volumeId] = volume with { Data = buffer.ToArray(), Complete = true };
        }

        public ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken)
        {
            _volumes.TryRemove(volumeId, out _);
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<BackendVolume>>(
                [.. _volumes.Values.Select(v => new BackendVolume(v.Spec) { ImageDataComplete = v.Complete })]);

        public ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(_volumes.TryGetValue(volumeId, out Volume? v) ? new BackendVolume(v.Spec) { ImageDataComplete = v.Complete } : null);

        // For the contract suite: the first bytes of a volume.
        public byte[] Read(string volumeId, int length) => [.. Get(volumeId).Data.Concat(new byte[length]).Take(length)];

        private Volume Get(string volumeId) =>
            _volumes.TryGetValue(volumeId, out Volume? volume) ? volume : throw new VolumeNotFoundException(volumeId);

        private void Add(Volume volume)
        {
            if (!_volumes.TryAdd(volume.Spec.Id, volume))
            {
                throw new VolumeAlreadyExistsException(volume.Spec.Id, volume.Spec.Backend);
            }
        }

        private sealed record Volume(VolumeSpec Spec, byte[] Data, bool Complete);
    }
}
