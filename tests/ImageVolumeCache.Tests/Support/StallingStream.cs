namespace ImageVolumeCache.Tests.Support;

/// <summary>
/// An image data stream whose network stops: it serves the first <paramref name="stallAfter"/> bytes, then every read
/// waits until it is cancelled. Each time a read starts waiting, <paramref name="stalled"/> is released once.
/// </summary>
internal sealed class StallingStream(byte[] data, int stallAfter, SemaphoreSlim stalled) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= stallAfter)
        {
            stalled.Release();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return Serve(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        _position >= stallAfter ? throw new NotSupportedException("A stalled stream can only be read asynchronously.") : Serve(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Serve(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, Math.Min(stallAfter, data.Length) - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
