namespace ImageVolumeCache.Sample;

/// <summary>A read-only stream that reports how many bytes were read from the stream it wraps.</summary>
internal sealed class ProgressStream(Stream inner, ProgressBar progress) : ReadOnlyStream
{
    public override long Length => inner.Length;

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        BytesRead += read;
        progress.Report(BytesRead);
        return read;
    }
}
