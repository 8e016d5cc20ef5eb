using System.Text.Json.Serialization;

namespace ImageVolumeCache.Glance.Images;

/// <summary>Source-generated JSON for Glance's image documents.</summary>
[JsonSerializable(typeof(GlanceImage))]
internal sealed partial class GlanceJsonContext : JsonSerializerContext;
