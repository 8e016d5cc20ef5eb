namespace ImageVolumeCache.Tests.Storage;

/// <summary>
/// The in-memory store keeps entries stamped in order in a linked list and the others in a sorted set; these tests mix
/// both on purpose and check the order against a plain sort of what the store should hold.
/// </summary>
public sealed class InMemoryCacheEntryStoreOrderTests
{
    private const string Scope = "host1@lvm#pool-a";
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_touch_to_an_earlier_time_than_the_newest_entry_puts_the_entry_in_its_place()
    {
        var store = new InMemoryCacheEntryStore();
        await AddAsync(store, "image-a", T0);
        await AddAsync(store, "image-b", T0.AddMinutes(2));
        await AddAsync(store, "image-c", T0.AddMinutes(4));

        await store.GetAndTouchAsync(Scope, "image-a", T0.AddMinutes(3), CancellationToken.None);

        IReadOnlyList<ImageCacheEntry> lru = await store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None);
        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-b", "image-a", "image-c" }));
    }

    [Test]
    public async Task Random_adds_touches_and_removes_in_and_out_of_time_order_keep_the_lru_order_and_totals()
    {
        var store = new InMemoryCacheEntryStore();
        var expected = new Dictionary<string, ImageCacheEntry>(StringComparer.Ordinal);
        var random = new Random(7);
        for (int step = 0; step < 2_000; step++)
        {
            // Mostly later times, as a cache's clock gives them, and now and then an earlier one.
            DateTimeOffset time = T0.AddSeconds(random.Next(10) == 0 ? random.Next(step + 1) : step * 2);
            string imageId = $"image-{random.Next(200)}";
            switch (random.Next(3))
            {
                case 0 when !expected.ContainsKey(imageId):
                    expected[imageId] = await AddAsync(store, imageId, time);
                    break;
                case 1 when expected.TryGetValue(imageId, out ImageCacheEntry? entry):
                    expected[imageId] = (await store.GetAndTouchAsync(Scope, imageId, time, CancellationToken.None))!;
                    Assert.That(expected[imageId], Is.EqualTo(entry with { LastUsed = time }));
                    break;
                case 2 when expected.Remove(imageId, out ImageCacheEntry? entry):
                    Assert.That(await store.RemoveAsync(entry.Id, CancellationToken.None), Is.True);
                    break;
            }
        }

        var ordered = expected.Values.OrderBy(e => e.LastUsed.UtcTicks).ThenBy(e => e.Id).ToList();
        IReadOnlyList<ImageCacheEntry> lru = await store.GetLeastRecentlyUsedAsync(Scope, int.MaxValue, CancellationToken.None);
        IReadOnlyList<ImageCacheEntry> oldestThree = await store.GetLeastRecentlyUsedAsync(Scope, 3, CancellationToken.None);
        IReadOnlyList<ImageCacheEntry> listed = await store.ListAsync(Scope, CancellationToken.None);
        CacheScopeTotals totals = await store.GetTotalsAsync(Scope, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(lru, Is.EqualTo(ordered));
            Assert.That(oldestThree, Is.EqualTo(ordered.Take(3)));
            Assert.That(listed, Is.EqualTo(ordered));
            Assert.That(totals, Is.EqualTo(new CacheScopeTotals(ordered.Count, ordered.Sum(e => e.SizeGb))));
        });
    }

    private static async Task<ImageCacheEntry> AddAsync(InMemoryCacheEntryStore store, string imageId, DateTimeOffset lastUsed)
    {
        var entry = new ImageCacheEntry(0, Scope, Scope, null, imageId, T0, $"vol-{imageId}", 1, T0, lastUsed);
        ImageCacheEntry? stored = await store.TryAddAsync(entry, CancellationToken.None);
        Assert.That(stored, Is.Not.Null);
        return stored!;
    }
}
