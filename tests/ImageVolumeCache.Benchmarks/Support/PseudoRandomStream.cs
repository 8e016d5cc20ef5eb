using System.Runtime.InteropServices;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>
/// A read-only stream of <c>length</c> bytes of xorshift64 output: no block is all zero, so a copy that skips zero blocks
/// or keeps holes still writes every byte, and the data is made at memory speed.
/// </summary>
public sealed class PseudoRandomStream(long length, ulong seed = 0x9E3779B97F4A7C15) : Stream
{
    private ulong _state = seed == 0 ? 1 : seed;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Min(buffer.Length, length - _position) & ~7;
        if (count == 0 && _position < length)
        {
            // The last few bytes when the length is not a multiple of 8.
            count = (int)Math.Min(buffer.Length, length - _position);
            Span<byte> tail = stackalloc byte[8];
            MemoryMarshal.Write(tail, Next());
            tail[..count].CopyTo(buffer);
            _position += count;
            return count;
        }

        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(buffer[..count]);
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = Next();
        }

        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private ulong Next()
    {
        ulong x = _state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _state = x;
        return x;
    }
}
