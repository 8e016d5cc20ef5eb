using System.Text.Json.Serialization;

namespace ImageVolumeCache.FileSystem.Volumes;

/// <summary>Source-generated JSON for the volume sidecar files.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(VolumeRecord))]
internal sealed partial class VolumeJsonContext : JsonSerializerContext;
