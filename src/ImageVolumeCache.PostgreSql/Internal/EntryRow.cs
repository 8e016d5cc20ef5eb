using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Npgsql;

namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>
/// Maps a row of <c>cache_entries</c> (columns in <see cref="StoreSql.Columns"/> order) to an entry, checking each value
/// first. The columns are typed, but a table holds whatever a bug, a tool or a hand wrote to it: a size beyond
/// <see cref="int"/>, a time no <see cref="DateTimeOffset"/> can hold, an empty id, a scope that is not its host's.
/// </summary>
internal static class EntryRow
{
    private const int MaxShownLength = 40;

    /// <summary>Reads the current row; when a value cannot be used, returns <see langword="false"/> and says which and why.</summary>
    public static bool TryRead(NpgsqlDataReader reader, [NotNullWhen(true)] out ImageCacheEntry? entry, out InvalidRow invalid)
    {
        long id = reader.GetInt64(0);
        string scopeKey = reader.GetString(1);
        string host = reader.GetString(2);
        string? cluster = reader.IsDBNull(3) ? null : reader.GetString(3);
        string imageId = reader.GetString(4);
        long imageUpdatedAt = reader.GetInt64(5);
        string volumeId = reader.GetString(6);
        long sizeGb = reader.GetInt64(7);
        long createdAt = reader.GetInt64(8);
        long lastUsed = reader.GetInt64(9);

        if (scopeKey.Length > 0 && host.Length > 0 && imageId.Length > 0 && volumeId.Length > 0
            && IsTime(imageUpdatedAt) && IsTime(createdAt) && IsTime(lastUsed) && sizeGb is >= 1 and <= int.MaxValue
            && scopeKey == new CacheScope(host, cluster).Key)
        {
            entry = new ImageCacheEntry(
                id, scopeKey, host, cluster, imageId, At(imageUpdatedAt), volumeId, (int)sizeGb, At(createdAt), At(lastUsed));
            invalid = default;
            return true;
        }

        var problems = new List<string>();
        Text(problems, "scope_key", scopeKey);
        Text(problems, "host", host);
        Text(problems, "image_id", imageId);
        Text(problems, "volume_id", volumeId);
        Time(problems, "image_updated_at", imageUpdatedAt);
        if (sizeGb is < 1 or > int.MaxValue)
        {
            problems.Add($"size_gb {Number(sizeGb)} is not a whole number from 1 to {Number(int.MaxValue)}");
        }

        Time(problems, "created_at", createdAt);
        Time(problems, "last_used", lastUsed);
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

    private static bool IsTime(long ticks) => ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks;

    private static DateTimeOffset At(long ticks) => new(ticks, TimeSpan.Zero);

    private static void Text(List<string> problems, string column, string value)
    {
        if (value.Length == 0)
        {
            problems.Add($"{column} is empty");
        }
    }

    private static void Time(List<string> problems, string column, long ticks)
    {
        if (!IsTime(ticks))
        {
            problems.Add($"{column} {Number(ticks)} is not a time (UTC ticks from 0 to {Number(DateTimeOffset.MaxValue.UtcTicks)})");
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(string? value) => value switch
    {
        null => "NULL",
        { Length: > MaxShownLength } => $"'{value[..MaxShownLength]}…'",
        _ => $"'{value}'",
    };
}
