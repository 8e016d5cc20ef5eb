using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ImageVolumeCache.FileSystem.Volumes;

/// <summary>Writes data into a volume file block by block, leaving all-zero blocks unwritten so the file stays sparse.</summary>
internal static class SparseCopy
{
    public const int BlockSize = 1 << 20;

    /// <summary>
    /// Copies <paramref name="source"/> to its end into <paramref name="destination"/> from offset 0, taking at most
    /// <paramref name="capacity"/> bytes (else it throws what <paramref name="tooLarge"/> makes of the bytes read so far).
    /// <paramref name="beforeWrite"/> is called with the offset before each block is written and may throw (a fault seam
    /// for tests). Returns the bytes read.
    /// </summary>
    public static async ValueTask<long> CopyAsync(
        Stream source, SafeFileHandle destination, long capacity, Func<long, Exception> tooLarge, Action<long>? beforeWrite, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            long offset = 0;
            while (true)
            {
                int read = await source.ReadAtLeastAsync(buffer.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, cancellationToken)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    return offset;
                }

                if (offset + read > capacity)
                {
                    throw tooLarge(offset + read);
                }

                await WriteBlockAsync(destination, buffer.AsMemory(0, read), offset, beforeWrite, cancellationToken).ConfigureAwait(false);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies the first <paramref name="length"/> bytes of one file into another at the same offsets.</summary>
    public static async ValueTask CopyAsync(
        SafeFileHandle source, SafeFileHandle destination, long length, Action<long>? beforeWrite, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            for (long offset = 0; offset < length;)
            {
                int read = await RandomAccess.ReadAsync(source, buffer.AsMemory(0, (int)Math.Min(BlockSize, length - offset)), offset, cancellationToken)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await WriteBlockAsync(destination, buffer.AsMemory(0, read), offset, beforeWrite, cancellationToken).ConfigureAwait(false);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask WriteBlockAsync(
        SafeFileHandle destination, ReadOnlyMemory<byte> block, long offset, Action<long>? beforeWrite, CancellationToken cancellationToken)
    {
        if (!block.Span.ContainsAnyExcept((byte)0))
        {
            return;
        }

        beforeWrite?.Invoke(offset);
        await RandomAccess.WriteAsync(destination, block, offset, cancellationToken).ConfigureAwait(false);
    }
}
