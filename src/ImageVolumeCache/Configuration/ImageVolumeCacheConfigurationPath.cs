namespace ImageVolumeCache.Configuration;

/// <summary>The configuration path the options were bound from, so that validation messages name full keys.</summary>
internal sealed record ImageVolumeCacheConfigurationPath(string Value)
{
    public const string Default = "ImageVolumeCache";

    /// <summary>The full key of an option below the section (the bare key when the whole configuration was bound).</summary>
    public string Key(string relative) => Value.Length == 0 ? relative : $"{Value}:{relative}";
}
