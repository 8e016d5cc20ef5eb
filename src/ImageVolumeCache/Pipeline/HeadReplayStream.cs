namespace ImageVolumeCache.Pipeline;

/// <summary>Reads the bytes already taken from a stream (its head, checked before anything was made), then the rest of it.</summary>
internal sealed class HeadReplayStream(byte[] head, Stream rest) : Stream
{
    private int _headPosition;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => rest.Length;

    public override long Position
    {
        get => _headPosition < head.Length ? _headPosition : rest.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_headPosition < head.Length)
        {
            return FromHead(buffer);
        }

        return rest.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_headPosition < head.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(FromHead(buffer.Span));
        }

        return rest.ReadAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int FromHead(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, head.Length - _headPosition);
        head.AsSpan(_headPosition, count).CopyTo(buffer);
        _headPosition += count;
        return count;
    }
}
