using System.Text.Json.Serialization;

namespace ImageVolumeCache.FileSystem.Volumes;

/// <summary>
/// The sidecar <c>&lt;volume-id&gt;.json</c> kept next to each volume file: the <see cref="VolumeSpec"/> the volume was
/// made with, and whether image data was copied into it to the end.
/// </summary>
internal sealed record VolumeRecord
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("host")]
    public required string Host { get; init; }

    [JsonPropertyName("cluster")]
    public string? Cluster { get; init; }

    [JsonPropertyName("project_id")]
    public string ProjectId { get; init; } = string.Empty;

    [JsonPropertyName("user_id")]
    public string UserId { get; init; } = string.Empty;

    [JsonPropertyName("encrypted")]
    public bool Encrypted { get; init; }

    [JsonPropertyName("size_gb")]
    public int SizeGb { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string> Metadata { get; init; } = [];

    [JsonPropertyName("image_data_complete")]
    public bool ImageDataComplete { get; init; }

    public static VolumeRecord From(VolumeSpec spec) => new()
    {
        Id = spec.Id,
        Host = spec.Host,
        Cluster = spec.Cluster,
        ProjectId = spec.ProjectId,
        UserId = spec.UserId,
        Encrypted = spec.Encrypted,
        SizeGb = spec.SizeGb,
        Metadata = new Dictionary<string, string>(spec.Metadata, StringComparer.Ordinal),
    };

    public VolumeSpec ToSpec(int sizeGb) => new(Id, Host, sizeGb)
    {
        Cluster = Cluster,
        ProjectId = ProjectId,
        UserId = UserId,
        Encrypted = Encrypted,
        Metadata = Metadata,
    };
}
