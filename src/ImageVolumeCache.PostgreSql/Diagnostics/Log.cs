using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.PostgreSql.Diagnostics;

/// <summary>
/// Every log message of the PostgreSQL store package, source-generated. Event ids 3000-3999 belong to this package and
/// never change meaning once shipped.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Error, "Cache entry {EntryId} in the image-volume cache store {Location} holds values the store cannot use ({Reason}); it is quarantined: moved out of service into table quarantined_entries.")]
    public static partial void EntryQuarantined(ILogger logger, long entryId, string location, string reason);

    [LoggerMessage(3001, LogLevel.Information, "The image-volume cache store {Location} was migrated from schema version {FromVersion} to {ToVersion}.")]
    public static partial void SchemaMigrated(ILogger logger, string location, int fromVersion, int toVersion);

    [LoggerMessage(3002, LogLevel.Warning, "The totals of scope {Scope} in the image-volume cache store {Location} could not be right (stored {StoredCount} entries, {StoredSizeGb} GB); recomputed from its entries.")]
    public static partial void TotalsRepaired(ILogger logger, string scope, string location, long storedCount, long storedSizeGb);

    [LoggerMessage(3003, LogLevel.Warning, "The image-volume cache store {Location} could not write the entries' last-used times held behind; {Kept} are kept for the next write.")]
    public static partial void TouchesNotWritten(ILogger logger, Exception exception, string location, int kept);
}
