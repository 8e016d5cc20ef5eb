using System.Net.Http.Headers;

namespace ImageVolumeCache.Glance.Images;

/// <summary>
/// What identifies the version of an image's data as the server sent it: its strong ETag, its Last-Modified, Glance's
/// Content-MD5 (the image's md5 as hex) and its length. A resumed read asks for the rest of this version only
/// (<c>If-Range</c>), and a response that names another version is another image.
/// </summary>
internal sealed record GlanceDataVersion(EntityTagHeaderValue? ETag, DateTimeOffset? LastModified, string? ContentMd5, long Length)
{
    /// <summary>The version a full (200) response sends; its length is its Content-Length.</summary>
    public static GlanceDataVersion OfFullResponse(HttpResponseMessage response) =>
        new(StrongETag(response), response.Content.Headers.LastModified, ContentMd5Of(response), response.Content.Headers.ContentLength ?? -1);

    /// <summary>The version a partial (206) response sends; its length is the total of its Content-Range.</summary>
    public static GlanceDataVersion OfPartialResponse(HttpResponseMessage response) =>
        new(StrongETag(response), response.Content.Headers.LastModified, ContentMd5Of(response), response.Content.Headers.ContentRange?.Length ?? -1);

    /// <summary>Asks for the rest of this version only: with its ETag when strong, else its Last-Modified; with neither, nothing is added.</summary>
    public void AddIfRange(HttpRequestHeaders headers)
    {
        if (ETag is not null)
        {
            headers.IfRange = new RangeConditionHeaderValue(ETag);
        }
        else if (LastModified is { } lastModified)
        {
            headers.IfRange = new RangeConditionHeaderValue(lastModified);
        }
    }

    /// <summary>Whether <paramref name="other"/> is another version: any identifier that both name differs.</summary>
    public bool DiffersFrom(GlanceDataVersion other) =>
        (ETag is not null && other.ETag is not null && !ETag.Equals(other.ETag))
        || (LastModified is not null && other.LastModified is not null && LastModified != other.LastModified)
        || (ContentMd5 is not null && other.ContentMd5 is not null && !string.Equals(ContentMd5, other.ContentMd5, StringComparison.OrdinalIgnoreCase))
        || (Length >= 0 && other.Length >= 0 && Length != other.Length);

    private static EntityTagHeaderValue? StrongETag(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false } tag ? tag : null;

    /// <summary>Read unparsed: Glance sends the md5 as hex, which is not the base64 the header's parser expects.</summary>
    private static string? ContentMd5Of(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues("Content-MD5", out HeaderStringValues values) ? values.ToString() : null;
}
