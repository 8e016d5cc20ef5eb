using System.Text.Json.Serialization;

namespace ImageVolumeCache.FileSystem.Images;

/// <summary>The manifest <c>&lt;image-id&gt;.json</c> of one image of a folder image service.</summary>
internal sealed record ImageManifest
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("owner")]
    public required string Owner { get; init; }

    [JsonPropertyName("visibility")]
    public required string Visibility { get; init; }

    [JsonPropertyName("disk_format")]
    public string DiskFormat { get; init; } = "raw";

    [JsonPropertyName("updated_at")]
    public required DateTimeOffset UpdatedAt { get; init; }

    [JsonPropertyName("size")]
    public required long Size { get; init; }

    /// <summary>The sha256 of the data as lower-case hex; <see langword="null"/> until first computed.</summary>
    [JsonPropertyName("checksum")]
    public string? Checksum { get; init; }

    /// <summary>The data file: a name inside the folder, or a full path for an image file kept where it was.</summary>
    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonIgnore]
    public bool IsPublic => string.Equals(Visibility, "public", StringComparison.OrdinalIgnoreCase);
}
