using System.Text.Json.Serialization;

namespace ImageVolumeCache.Glance.Images;

/// <summary>One entry of an image's <c>locations</c>, shown when the Glance server exposes them.</summary>
internal sealed record GlanceLocation
{
    [JsonPropertyName("url")]
    public string? Url { get; init; }
}
