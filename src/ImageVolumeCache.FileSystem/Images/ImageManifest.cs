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

    /// <summary>
    /// One of the formats a folder image service holds (raw, qcow2, vmdk, vhd, vhdx, vdi, iso); <see langword="null"/>
    /// (read as raw) when the manifest does not say, as older versions wrote it: the source-generated reader leaves a missing
    /// init-only property null rather than at its initial value. Any other value makes reading the manifest fail.
    /// </summary>
    [JsonPropertyName("disk_format")]
    public string? DiskFormat { get; init; }

    /// <summary>The virtual size the inspection found, for an image that is not raw; <see langword="null"/> otherwise.</summary>
    [JsonPropertyName("virtual_size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? VirtualSize { get; init; }

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
