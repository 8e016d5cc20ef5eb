namespace ImageVolumeCache.Configuration;

/// <summary>The configuration path the options were bound from, so that validation messages name full keys.</summary>
internal sealed record ImageVolumeCacheConfigurationPath(string Value)
{
    public const string Default = "ImageVolumeCache";
}
