namespace ImageVolumeCache;

/// <summary>
/// A capability an <see cref="IVolumeDriver"/> may add: a volume whose bytes are a file (or block device) on this host
/// that the library may write. An image that needs conversion (qcow2, VMDK, VHD, VHDX, VDI) is then converted by
/// <c>qemu-img</c> straight into the volume, sparse, instead of into a raw scratch file that is then copied with
/// <see cref="IVolumeDriver.CopyImageToVolumeAsync"/>. A driver that does not implement it gets the copy.
/// </summary>
/// <remarks>
/// The library calls <see cref="BeginLocalWriteAsync"/> on a volume it has just made, writes the image's raw bytes from
/// offset 0 through the path, and then calls <see cref="CompleteLocalWriteAsync"/>; on failure it deletes the volume
/// instead. Nothing else uses the path meanwhile.
/// </remarks>
public interface ILocalVolumeAccess
{
    /// <summary>
    /// Gets the volume ready to be written through a local path: its old content discarded, so that every byte reads as
    /// zero (the writer skips zero blocks, leaving them unallocated).
    /// </summary>
    /// <param name="volumeId">The volume, made by this library.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The absolute path that holds the volume's bytes, writable by this process; <see langword="null"/> when this volume cannot be written locally (the library copies it instead).</returns>
    /// <exception cref="VolumeNotFoundException">The volume does not exist.</exception>
    ValueTask<string?> BeginLocalWriteAsync(string volumeId, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a write through the local path: the data is made durable, and the volume is marked as holding the image's
    /// data, as <see cref="IVolumeDriver.CopyImageToVolumeAsync"/> does at its end.
    /// </summary>
    /// <param name="volumeId">The volume written.</param>
    /// <param name="image">The image now in the volume, raw.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="VolumeNotFoundException">The volume does not exist.</exception>
    ValueTask CompleteLocalWriteAsync(string volumeId, ImageInfo image, CancellationToken cancellationToken);
}
