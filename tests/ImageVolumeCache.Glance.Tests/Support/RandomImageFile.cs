namespace ImageVolumeCache.Glance.Tests.Support;

/// <summary>Pseudo-random image data, written once to a file (fast: one seeded generator, 1 MiB at a time).</summary>
internal static class RandomImageFile
{
    public const int MiB = 1 << 20;

    public static string Write(string path, long length, int seed)
    {
        var random = new Random(seed);
        byte[] chunk = new byte[MiB];
        using FileStream file = File.Create(path);
        for (long written = 0; written < length; written += chunk.Length)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, length - written));
        }

        return path;
    }

    public static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
