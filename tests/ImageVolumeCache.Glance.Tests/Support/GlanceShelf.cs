using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImageVolumeCache.Glance.Tests.Support;

/// <summary>
/// Puts images where <see cref="NginxServer"/> serves them: the data file, and the image document Glance would show
/// for it (checksums computed from the file). Replacing an image moves a new file into place with a later modification
/// time, so that nginx's ETag and Last-Modified change as a real replacement's would.
/// </summary>
internal sealed class GlanceShelf(NginxServer server)
{
    public static readonly DateTimeOffset FirstVersion = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset SecondVersion = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Publishes (or replaces) an image whose data is a copy of <paramref name="sourceFile"/>.</summary>
    public GlanceImageFile Publish(string imageId, string sourceFile, DateTimeOffset updatedAt, Action<JsonObject>? edit = null)
    {
        string data = Path.Combine(server.Root, "data", imageId);
        string staged = data + ".new";
        File.Copy(sourceFile, staged, overwrite: true);
        File.SetLastWriteTimeUtc(staged, updatedAt.UtcDateTime);
        File.Move(staged, data, overwrite: true);
        return WriteDocument(imageId, data, updatedAt, edit);
    }

    /// <summary>Publishes (or replaces) an image holding <paramref name="bytes"/>.</summary>
    public GlanceImageFile Publish(string imageId, byte[] bytes, DateTimeOffset updatedAt, Action<JsonObject>? edit = null)
    {
        string data = Path.Combine(server.Root, "data", imageId);
        string staged = data + ".new";
        File.WriteAllBytes(staged, bytes);
        File.SetLastWriteTimeUtc(staged, updatedAt.UtcDateTime);
        File.Move(staged, data, overwrite: true);
        return WriteDocument(imageId, data, updatedAt, edit);
    }

    /// <summary>Publishes only an image document (for the mapping tests).</summary>
    public void PublishDocument(string imageId, JsonObject document) =>
        File.WriteAllText(Path.Combine(server.Root, "meta", imageId + ".json"), document.ToJsonString());

    private GlanceImageFile WriteDocument(string imageId, string data, DateTimeOffset updatedAt, Action<JsonObject>? edit)
    {
        byte[] sha512;
        byte[] md5;
        using (FileStream stream = File.OpenRead(data))
        {
            sha512 = SHA512.HashData(stream);
            stream.Position = 0;
            md5 = MD5.HashData(stream);
        }

        long size = new FileInfo(data).Length;
        var document = new JsonObject
        {
            ["id"] = imageId,
            ["name"] = imageId,
            ["status"] = "active",
            ["visibility"] = "private",
            ["owner"] = NginxServer.Project,
            ["disk_format"] = "raw",
            ["container_format"] = "bare",
            ["size"] = size,
            ["virtual_size"] = size,
            ["checksum"] = Convert.ToHexStringLower(md5),
            ["os_hash_algo"] = "sha512",
            ["os_hash_value"] = Convert.ToHexStringLower(sha512),
            ["created_at"] = FirstVersion.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["updated_at"] = updatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        edit?.Invoke(document);
        string meta = Path.Combine(server.Root, "meta", imageId + ".json");
        File.WriteAllText(meta + ".new", document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(meta + ".new", meta, overwrite: true);
        return new GlanceImageFile(imageId, size, Convert.ToHexStringLower(sha512), updatedAt);
    }
}

/// <summary>An image as published: its size, sha512 and updated_at.</summary>
internal sealed record GlanceImageFile(string Id, long Size, string Sha512, DateTimeOffset UpdatedAt);
