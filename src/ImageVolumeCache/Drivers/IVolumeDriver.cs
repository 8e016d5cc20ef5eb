namespace ImageVolumeCache;

/// <summary>
/// One storage backend, as the host application drives it. The library calls it to clone images directly, to make,
/// fill, clone, extend and delete volumes. Implementations must be safe for concurrent use.
/// </summary>
/// <remarks>
/// Every method that makes a volume must leave nothing behind when it fails or is cancelled, and deleting a volume that
/// does not exist must succeed: the pipeline relies on both to clean up after a failed request.
/// </remarks>
public interface IVolumeDriver
{
    /// <summary>
    /// Tries to make <paramref name="target"/> straight from the image's own data, for backends that hold images
    /// themselves (for example Ceph RBD). No cache entry is made when this succeeds.
    /// </summary>
    /// <param name="target">The volume to make, at its requested size.</param>
    /// <param name="image">The image, with its direct locations.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns><see langword="true"/> when the volume was made; <see langword="false"/> when the backend cannot do it (then nothing was made).</returns>
    /// <exception cref="VolumeAlreadyExistsException">A volume with the target's id already exists; it is left untouched.</exception>
    ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken);

    /// <summary>Makes an empty volume.</summary>
    /// <param name="volume">The volume to make.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="VolumeAlreadyExistsException">A volume with the same id already exists; it is left untouched.</exception>
    ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="target"/> as a copy of the volume <paramref name="sourceVolumeId"/>, at
    /// <see cref="VolumeSpec.SizeGb"/> of the target, which is never smaller than the source.
    /// </summary>
    /// <param name="target">The volume to make.</param>
    /// <param name="sourceVolumeId">The volume to copy.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="VolumeNotFoundException">
    /// The source does not exist on this backend, including when it is deleted while the clone runs (never a
    /// <see cref="FileNotFoundException"/> or another error of the backend's own).
    /// </exception>
    /// <exception cref="VolumeAlreadyExistsException">A volume with the target's id already exists; it is left untouched.</exception>
    /// <exception cref="CloneLimitReachedException">The source has as many clones or snapshots as the backend allows.</exception>
    ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken);

    /// <summary>Grows a volume to a new size, keeping its data.</summary>
    /// <param name="volumeId">The volume to grow.</param>
    /// <param name="newSizeGb">The new size in GB; larger than the current size.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="VolumeNotFoundException">The volume does not exist.</exception>
    ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken);

    /// <summary>Writes image data from the start of an existing volume.</summary>
    /// <param name="volumeId">The volume to fill; made by <see cref="CreateVolumeAsync"/>.</param>
    /// <param name="image">The image being written.</param>
    /// <param name="data">The image data; read to its end.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <exception cref="VolumeNotFoundException">The volume does not exist.</exception>
    ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken);

    /// <summary>Deletes a volume. Deleting a volume that does not exist succeeds.</summary>
    /// <param name="volumeId">The volume to delete.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken);

    /// <summary>
    /// Lists every volume this backend holds, with the metadata it was made with. Reconciliation uses it to find cache
    /// volumes without an entry and entries without a volume.
    /// </summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The volumes, in no particular order.</returns>
    ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Describes one volume as <see cref="ListVolumesAsync"/> would: its owner, metadata and size. The cache uses it to
    /// check that a volume is what a cache entry or an image location says it is (a cache volume of the internal tenant,
    /// or an image-volume of the image's owner) before it clones from it or deletes it.
    /// </summary>
    /// <param name="volumeId">The volume to describe.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The volume, or <see langword="null"/> when it does not exist.</returns>
    ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken);
}
