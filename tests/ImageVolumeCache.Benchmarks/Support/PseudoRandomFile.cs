using System.Runtime.InteropServices;

namespace ImageVolumeCache.Benchmarks.Support;

/// <summary>
/// Writes files of xorshift64 output: no block is all zero, so a copy that skips zero blocks or keeps holes still writes
/// every byte, and the data is made at memory speed.
/// </summary>
public static class PseudoRandomFile
{
    public static void Write(string path, long length, ulong seed = 0x9E3779B97F4A7C15)
    {
        ulong state = seed == 0 ? 1 : seed;
        var block = new ulong[128 * 1024]; // 1 MiB
        using FileStream file = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long left = length; left > 0;)
        {
            for (int i = 0; i < block.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                block[i] = state;
            }

            int count = (int)Math.Min(left, block.Length * sizeof(ulong));
            file.Write(MemoryMarshal.AsBytes(block.AsSpan())[..count]);
            left -= count;
        }
    }
}
