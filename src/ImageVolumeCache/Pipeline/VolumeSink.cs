namespace ImageVolumeCache.Pipeline;

/// <summary>
/// A download into a volume: the volume is made on the first attempt, once the image's first bytes passed their check
/// (so a refused image never gets a volume), then the driver copies the data into it.
/// </summary>
internal sealed class VolumeSink(IVolumeDriver driver, VolumeSpec volume, ImageInfo image, CancellationToken requestToken) : DownloadSink
{
    /// <summary>Whether this sink made the volume (and so must delete it on failure).</summary>
    public bool Made { get; private set; }

    public override bool ChecksHead => true;

    public override async ValueTask WriteAsync(Stream data, DownloadStallWatch watch)
    {
        if (!Made)
        {
            // Made with the request's token, not the stall watch's: making a volume is not the download.
            await driver.CreateVolumeAsync(volume, requestToken).ConfigureAwait(false);
            Made = true;
            watch.Progress();
        }

        await driver.CopyImageToVolumeAsync(volume.Id, image, data, watch.Token).ConfigureAwait(false);
    }
}
