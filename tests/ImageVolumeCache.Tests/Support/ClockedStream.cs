using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.Tests.Support;

/// <summary>
/// An image data stream that serves at most <paramref name="chunk"/> bytes a read, and moves the fake clock on by
/// <paramref name="perRead"/> before each read returns: a download of known pace in fake time.
/// </summary>
internal sealed class ClockedStream(byte[] data, int chunk, FakeTimeProvider time, TimeSpan perRead) : MemoryStream(data, writable: false)
{
    // The one read that serves: MemoryStream's span read, in a subclass, comes back here through an array.
    public override int Read(byte[] buffer, int offset, int count)
    {
        int read = base.Read(buffer, offset, Math.Min(count, chunk));
        time.Advance(perRead);
        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));
}
