using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Sqlite.Diagnostics;

/// <summary>
/// Every log message of the SQLite store package, source-generated. Event ids 2000-2999 belong to this package and never
/// change meaning once shipped.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Error, "Cache entry {EntryId} in the image-volume cache store {DatabasePath} holds values the store cannot use ({Reason}); it is quarantined: moved out of service into table quarantined_entries.")]
    public static partial void EntryQuarantined(ILogger logger, long entryId, string databasePath, string reason);

    [LoggerMessage(2001, LogLevel.Warning, "The totals of scope {Scope} in the image-volume cache store {DatabasePath} did not match its entries (stored {StoredCount} entries, {StoredSizeGb} GB; the entries hold {Count}, {SizeGb} GB); repaired.")]
    public static partial void TotalsRepaired(ILogger logger, string scope, string databasePath, string storedCount, string storedSizeGb, long count, long sizeGb);

    [LoggerMessage(2002, LogLevel.Warning, "The image-volume cache store {DatabasePath} could not write the entries' last-used times held behind; {Kept} are kept for the next write.")]
    public static partial void TouchesNotWritten(ILogger logger, Exception exception, string databasePath, int kept);
}
