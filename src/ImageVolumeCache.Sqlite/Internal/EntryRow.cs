using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>
/// Maps a row of <c>cache_entries</c> (columns in <see cref="Sql.Columns"/> order) to an entry, checking each value
/// first. A file holds whatever was written to it, by a bug, a tool or a hand; a value an entry cannot take must name its
/// row rather than escape as an <see cref="OverflowException"/> that fails every request for the image.
/// </summary>
internal static class EntryRow
{
    private const int MaxShownLength = 40;

    /// <summary>Reads the current row; when a value cannot be used, returns <see langword="false"/> and says which and why.</summary>
    public static bool TryRead(SqliteDataReader reader, [NotNullWhen(true)] out ImageCacheEntry? entry, out InvalidRow invalid)
    {
        long id = reader.GetInt64(0);
        object scopeKey = reader.GetValue(1);
        object host = reader.GetValue(2);
        object cluster = reader.GetValue(3);
        object imageId = reader.GetValue(4);
        object imageUpdatedAt = reader.GetValue(5);
        object volumeId = reader.GetValue(6);
        object sizeGb = reader.GetValue(7);
        object createdAt = reader.GetValue(8);
        object lastUsed = reader.GetValue(9);
        if (scopeKey is string scope && scope.Length > 0
            && host is string hostName && hostName.Length > 0
            && (cluster is DBNull || cluster is string)
            && imageId is string image && image.Length > 0
            && volumeId is string volume && volume.Length > 0
            && IsTime(imageUpdatedAt) && IsTime(createdAt) && IsTime(lastUsed) && IsSize(sizeGb)
            && scope == new CacheScope(hostName, cluster as string).Key)
        {
            entry = new ImageCacheEntry(
                id, scope, hostName, cluster as string, image, Time(imageUpdatedAt), volume, (int)(long)sizeGb, Time(createdAt), Time(lastUsed));
            invalid = default;
            return true;
        }

        var problems = new List<string>();
        Text(problems, "scope_key", scopeKey);
        Text(problems, "host", host);
        if (cluster is not DBNull and not string)
        {
            problems.Add($"cluster {Show(cluster)} is not text");
        }

        Text(problems, "image_id", imageId);
        Text(problems, "volume_id", volumeId);
        TimeProblem(problems, "image_updated_at", imageUpdatedAt);
        if (!IsSize(sizeGb))
        {
            problems.Add($"size_gb {Show(sizeGb)} is not a whole number from 1 to {int.MaxValue}");
        }

        TimeProblem(problems, "created_at", createdAt);
        TimeProblem(problems, "last_used", lastUsed);
        if (problems.Count == 0)
        {
            problems.Add($"scope_key {Show(scopeKey)} is not the scope of host {Show(host)} and cluster {Show(cluster)}");
        }

        entry = null;
        invalid = new InvalidRow(id, scopeKey, string.Join("; ", problems));
        return false;
    }

    /// <summary>Why an entry about to be stored would make a row the store cannot read back, or <see langword="null"/>.</summary>
    public static string? Problem(ImageCacheEntry entry)
    {
        if (string.IsNullOrEmpty(entry.ScopeKey) || string.IsNullOrEmpty(entry.Host) || string.IsNullOrEmpty(entry.ImageId) || string.IsNullOrEmpty(entry.VolumeId))
        {
            return "The entry's scope key, host, image id and volume id must not be empty.";
        }

        return entry.ScopeKey == entry.Scope.Key
            ? null
            : $"The entry's scope key '{entry.ScopeKey}' is not the scope of its host and cluster ('{entry.Scope.Key}').";
    }

    private static bool IsTime(object value) => value is long ticks && ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks;

    private static bool IsSize(object value) => value is long size && size >= 1 && size <= int.MaxValue;

    private static DateTimeOffset Time(object ticks) => new((long)ticks, TimeSpan.Zero);

    private static void Text(List<string> problems, string column, object value)
    {
        if (value is not string text || text.Length == 0)
        {
            problems.Add($"{column} {Show(value)} is not a non-empty text");
        }
    }

    private static void TimeProblem(List<string> problems, string column, object value)
    {
        if (!IsTime(value))
        {
            problems.Add($"{column} {Show(value)} is not a time (UTC ticks from 0 to {DateTimeOffset.MaxValue.UtcTicks})");
        }
    }

    /// <summary>A stored value as a message shows it: numbers as they are, text quoted and cut short, a blob by its length.</summary>
    private static string Show(object value) => value switch
    {
        DBNull => "NULL",
        string text when text.Length > MaxShownLength => $"'{text[..MaxShownLength]}…'",
        string text => $"'{text}'",
        byte[] blob => $"(a blob of {blob.Length} bytes)",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
