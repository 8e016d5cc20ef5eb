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

    /// <summary>The container format (for example <c>bare</c>); <see langword="null"/> when the manifest does not say.</summary>
    [JsonPropertyName("container_format")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ContainerFormat { get; init; }

    [JsonPropertyName("updated_at")]
    public required DateTimeOffset UpdatedAt { get; init; }

    [JsonPropertyName("size")]
    public required long Size { get; init; }

    /// <summary>The sha256 of the data as lower-case hex; <see langword="null"/> until first computed.</summary>
    [JsonPropertyName("checksum")]
    public string? Checksum { get; init; }

    /// <summary>
    /// The data file: a path relative to the folder (older versions wrote a full path, accepted while it is inside the
    /// folder). A file outside the folder, also through a symbolic link, makes the manifest refused.
    /// </summary>
    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonIgnore]
    public bool IsPublic => string.Equals(Visibility, "public", StringComparison.OrdinalIgnoreCase);
}
