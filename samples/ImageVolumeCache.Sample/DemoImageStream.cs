namespace ImageVolumeCache.Sample;

/// <summary>A read-only stream of pseudo-random bytes: the demo image (no block is all zeros, so nothing is sparse).</summary>
internal sealed class DemoImageStream(long length) : ReadOnlyStream
{
    private readonly Random _random = new(42);

    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Min(buffer.Length, length - BytesRead);
        _random.NextBytes(buffer[..count]);
        BytesRead += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
}
