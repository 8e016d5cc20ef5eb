namespace ImageVolumeCache.Pipeline;

/// <summary>Reads the volume id out of a <c>cinder://</c> image location (<c>cinder://&lt;id&gt;</c> or <c>cinder://&lt;store&gt;/&lt;id&gt;</c>).</summary>
internal static class ImageVolumeLocation
{
    public const string Scheme = "cinder";

    public static bool TryGetVolumeId(string location, out string volumeId)
    {
        volumeId = string.Empty;
        const string prefix = Scheme + "://";
        if (!location.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string rest = location[prefix.Length..].TrimEnd('/');
        int slash = rest.LastIndexOf('/');
        volumeId = slash < 0 ? rest : rest[(slash + 1)..];
        return volumeId.Length > 0;
    }
}
