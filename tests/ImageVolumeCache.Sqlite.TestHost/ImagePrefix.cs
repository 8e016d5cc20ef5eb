using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Sqlite.TestHost;

/// <summary>The first bytes of an image, read through the host's image service, and their comparison with a volume file.</summary>
internal static class ImagePrefix
{
    private const int Compared = 64 << 10;

    public static async Task<byte[]> ReadAsync(IServiceProvider services, string imageId)
    {
        var images = services.GetRequiredService<IImageService>();
        await using Stream data = await images.OpenReadAsync(CrashHost.Requester, imageId, CancellationToken.None);
        byte[] prefix = new byte[Compared];
        return prefix[..await data.ReadAtLeastAsync(prefix, Compared, throwOnEndOfStream: false)];
    }

    public static bool Matches(string path, byte[] expected)
    {
        using FileStream file = File.OpenRead(path);
        byte[] actual = new byte[expected.Length];
        return file.ReadAtLeast(actual, actual.Length, throwOnEndOfStream: false) == actual.Length && actual.AsSpan().SequenceEqual(expected);
    }
}
