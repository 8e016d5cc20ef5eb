namespace ImageVolumeCache.Pipeline;

/// <summary>A download into a scratch file, written from its start on each attempt.</summary>
internal sealed class ScratchFileSink(string path) : DownloadSink
{
    private const int BufferSize = 1024 * 1024;

    public override bool ChecksHead => false;

    public override async ValueTask WriteAsync(Stream data, DownloadStallWatch watch)
    {
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            await data.CopyToAsync(file, BufferSize, watch.Token).ConfigureAwait(false);
            await file.FlushAsync(watch.Token).ConfigureAwait(false);
        }
    }
}
