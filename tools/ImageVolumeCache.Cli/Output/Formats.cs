using System.Globalization;

namespace ImageVolumeCache.Cli.Output;

/// <summary>How values are written in tables: invariant culture, times in UTC to the second.</summary>
internal static class Formats
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Limit(long value) => value == 0 ? "unlimited" : Number(value);
}
