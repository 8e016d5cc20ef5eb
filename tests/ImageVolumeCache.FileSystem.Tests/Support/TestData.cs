using System.Security.Cryptography;

namespace ImageVolumeCache.FileSystem.Tests.Support;

public static class TestData
{
    public const int MiB = 1 << 20;
    public const long GiB = 1L << 30;

    /// <summary>Random bytes of a given length; the MiB ranges listed are zeros.</summary>
    public static byte[] Random(int length, int seed, params int[] zeroMiBs)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        foreach (int mib in zeroMiBs)
        {
            Array.Clear(data, mib * MiB, MiB);
        }

        return data;
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The sha256 of the first <paramref name="length"/> bytes of a file.</summary>
    public static string Sha256OfFile(string path, long length)
    {
        using FileStream file = File.OpenRead(path);
        byte[] buffer = new byte[length];
        file.ReadExactly(buffer);
        return Sha256(buffer);
    }

    public static ImageInfo Image(string id, long size) => new(id, size, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
}
