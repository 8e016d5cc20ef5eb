using System.Text.Json.Serialization;

namespace ImageVolumeCache.Glance.Images;

/// <summary>The fields of a Glance v2 image (<c>GET /v2/images/{id}</c>) that the cache uses; the rest are ignored.</summary>
internal sealed record GlanceImage
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("updated_at")]
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("size")]
    public long? Size { get; init; }

    [JsonPropertyName("virtual_size")]
    public long? VirtualSize { get; init; }

    [JsonPropertyName("disk_format")]
    public string? DiskFormat { get; init; }

    [JsonPropertyName("container_format")]
    public string? ContainerFormat { get; init; }

    [JsonPropertyName("owner")]
    public string? Owner { get; init; }

    [JsonPropertyName("visibility")]
    public string? Visibility { get; init; }

    [JsonPropertyName("checksum")]
    public string? Checksum { get; init; }

    [JsonPropertyName("os_hash_algo")]
    public string? HashAlgorithm { get; init; }

    [JsonPropertyName("os_hash_value")]
    public string? HashValue { get; init; }

    [JsonPropertyName("direct_url")]
    public string? DirectUrl { get; init; }

    [JsonPropertyName("locations")]
    public IReadOnlyList<GlanceLocation>? Locations { get; init; }
}
