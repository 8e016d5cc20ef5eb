namespace ImageVolumeCache.Pipeline;

/// <summary>Where a download's verified bytes go: a volume (made when the first bytes passed their check) or a scratch file.</summary>
internal abstract class DownloadSink
{
    /// <summary>Whether the image's first bytes are checked against its claimed format before anything is written.</summary>
    public abstract bool ChecksHead { get; }

    /// <summary>Writes the data, from its start; called again from the start when a stalled download is retried.</summary>
    public abstract ValueTask WriteAsync(Stream data, DownloadStallWatch watch);
}
