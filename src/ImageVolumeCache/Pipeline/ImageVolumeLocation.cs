namespace ImageVolumeCache.Pipeline;

/// <summary>
/// Reads the volume id out of a <c>cinder://</c> image location, strictly: <c>cinder://&lt;id&gt;</c> or
/// <c>cinder://&lt;store&gt;/&lt;id&gt;</c>, where the store and id are 1 to 255 of ASCII letters, digits, <c>-</c>,
/// <c>_</c> and <c>.</c> (not <c>.</c> or <c>..</c>). Anything else (more segments, an empty segment, a query, a
/// fragment, other characters) is not a location, so it is skipped rather than guessed at.
/// </summary>
internal static class ImageVolumeLocation
{
    public const string Scheme = "cinder";

    private const string Prefix = Scheme + "://";
    private const int MaxSegmentLength = 255;

    /// <summary>Whether the image may be served by cloning an image-volume at all: raw, bare (when a container format is given), with an owner.</summary>
    public static bool MayClone(ImageInfo image) =>
        string.Equals(image.DiskFormat, "raw", StringComparison.OrdinalIgnoreCase)
        && (image.ContainerFormat is null || string.Equals(image.ContainerFormat, "bare", StringComparison.OrdinalIgnoreCase))
        && !string.IsNullOrEmpty(image.Owner);

    /// <summary>Whether the location claims the <c>cinder</c> scheme (well formed or not).</summary>
    public static bool HasScheme(string? location) =>
        location is not null && location.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    public static bool TryGetVolumeId(string? location, out string volumeId)
    {
        volumeId = string.Empty;
        if (!HasScheme(location))
        {
            return false;
        }

        ReadOnlySpan<char> rest = location.AsSpan(Prefix.Length);
        int slash = rest.IndexOf('/');
        ReadOnlySpan<char> id = slash < 0 ? rest : rest[(slash + 1)..];
        if ((slash >= 0 && !IsSegment(rest[..slash])) || !IsSegment(id))
        {
            return false;
        }

        volumeId = id.ToString();
        return true;
    }

    private static bool IsSegment(ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty || segment.Length > MaxSegmentLength || segment is "." or "..")
        {
            return false;
        }

        foreach (char c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
