namespace ImageVolumeCache.Tests.Support;

/// <summary>An image data stream whose first read waits for <paramref name="gate"/>; then it serves <paramref name="data"/>.</summary>
internal sealed class GatedStream(Task gate, byte[] data) : MemoryStream(data, writable: false)
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        return await base.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
