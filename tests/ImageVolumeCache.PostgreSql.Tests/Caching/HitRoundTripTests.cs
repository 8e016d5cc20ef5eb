using System.Collections.Concurrent;
using System.Diagnostics;
using ImageVolumeCache.PostgreSql.Tests.Support;

namespace ImageVolumeCache.PostgreSql.Tests.Caching;

/// <summary>
/// A hit through the PostgreSQL store is one round trip, a read: its touch is written behind and the process's pin on
/// the entry, taken by the first clone, is joined. Counted from Npgsql's own trace of the commands it sends.
/// </summary>
public sealed class HitRoundTripTests
{
    [Test]
    public async Task Hits_through_the_PostgreSQL_store_make_one_round_trip_each_and_write_nothing()
    {
        PostgreSqlCacheEntryStoreOptions options = PostgresServer.NewStoreOptions();
        await using var store = new PostgreSqlCacheEntryStore(options);
        try
        {
            using var harness = new CacheHarness(store: store);
            harness.AddImage("img");
            Assert.That((await harness.CreateAsync("img", volumeId: "miss")).Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
            Assert.That((await harness.CreateAsync("img", volumeId: "warm")).Path, Is.EqualTo(CreateFromImagePath.CacheHit));

            var commands = new ConcurrentQueue<string>();
            using var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity => commands.Enqueue(Statement(activity)),
            };
            ActivitySource.AddActivityListener(listener);

            for (int i = 0; i < 5; i++)
            {
                Assert.That((await harness.CreateAsync("img", volumeId: $"hit-{i}")).Path, Is.EqualTo(CreateFromImagePath.CacheHit));
            }

            string[] sent = [.. commands];
            Assert.That(sent, Has.Length.EqualTo(5), "commands sent: " + string.Join(" | ", sent));
            Assert.That(sent, Is.All.StartsWith("SELECT"), "a hit only reads");
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(options.Schema);
        }
    }

    private static string Statement(Activity activity) =>
        (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName)?.ToString()?.TrimStart() ?? "";
}
