using System.Text.Json.Serialization;

namespace ImageVolumeCache.FileSystem.Images;

/// <summary>Source-generated JSON for image manifests.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ImageManifest))]
internal sealed partial class ImageJsonContext : JsonSerializerContext;
