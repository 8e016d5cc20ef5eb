using Microsoft.Extensions.Time.Testing;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

/// <summary>Two stores on one file, each with its own connections, as two processes of one host would have.</summary>
public sealed class SqliteSharedFileTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private TemporaryDirectory _folder = null!;
    private SqliteCacheEntryStore _first = null!;
    private SqliteCacheEntryStore _second = null!;

    [SetUp]
    public void OpenTwoStores()
    {
        _folder = new TemporaryDirectory();
        _first = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _folder.Combine("cache.db") });
        _second = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _folder.Combine("cache.db") });
    }

    [TearDown]
    public void CloseStores()
    {
        _first.Dispose();
        _second.Dispose();
        _folder.Dispose();
    }

    [Test]
    public async Task Two_stores_racing_to_add_the_same_image_make_one_entry()
    {
        using var start = new ManualResetEventSlim();
        Task<ImageCacheEntry?>[] adds = Enumerable.Range(0, 16)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                SqliteCacheEntryStore store = i % 2 == 0 ? _first : _second;
                return await store.TryAddAsync(Entry("image-a", $"volume-{i}"), CancellationToken.None);
            }))
            .ToArray();

        start.Set();
        ImageCacheEntry?[] results = await Task.WhenAll(adds);

        ImageCacheEntry winner = results.Single(r => r is not null)!;
        Assert.That(await _first.GetAsync("host1@lvm", "image-a", CancellationToken.None), Is.EqualTo(winner));
        Assert.That(await _second.GetTotalsAsync("host1@lvm", CancellationToken.None), Is.EqualTo(new CacheScopeTotals(1, 1)));
    }

    [Test]
    public async Task Two_stores_opening_a_new_file_at_the_same_moment_both_take_it_as_their_own()
    {
        // The ownership check of one store must never see the other's half-made file (tables, but no application id).
        for (int round = 0; round < 100; round++)
        {
            string path = _folder.Combine($"new-{round}.db");
            using var a = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path });
            using var b = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path });
            using var start = new ManualResetEventSlim();
            Task[] opens = [.. new[] { a, b }.Select(store => Task.Run(async () =>
            {
                start.Wait();
                await store.InitializeAsync(CancellationToken.None);
            }))];

            start.Set();
            Assert.DoesNotThrowAsync(async () => await Task.WhenAll(opens), $"round {round}");
        }
    }

    [Test]
    public async Task An_entry_one_store_adds_is_found_and_touched_through_the_other()
    {
        ImageCacheEntry? added = await _first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);

        ImageCacheEntry? touched = await _second.GetAndTouchAsync("host1@lvm", "image-a", T0.AddHours(1), CancellationToken.None);

        Assert.That(touched, Is.EqualTo(added! with { LastUsed = T0.AddHours(1) }));
        await _second.FlushTouchesAsync(CancellationToken.None);
        Assert.That((await _first.GetAsync("host1@lvm", "image-a", CancellationToken.None))?.LastUsed, Is.EqualTo(T0.AddHours(1)));
    }

    [Test]
    public async Task A_lookup_writes_nothing_to_the_file_until_its_touch_interval_has_passed()
    {
        var time = new FakeTimeProvider(T0);
        using var writer = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _first.DatabasePath }, logger: null, time);
        await _first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);

        await writer.GetAndTouchAsync("host1@lvm", "image-a", T0.AddHours(1), CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(100);
        Assert.That((await _first.GetAsync("host1@lvm", "image-a", CancellationToken.None))?.LastUsed, Is.EqualTo(T0), "written before its interval");

        time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(
            async () => (await _first.GetAsync("host1@lvm", "image-a", CancellationToken.None))?.LastUsed == T0.AddHours(1),
            "the touch written once its interval passed");
    }

    [Test]
    public async Task A_touch_that_cannot_be_written_does_not_fail_the_least_recently_used_read_and_is_written_by_the_next()
    {
        await _first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);
        await _first.TryAddAsync(Entry("image-b", "volume-b"), CancellationToken.None);
        using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _first.DatabasePath, BusyTimeout = TimeSpan.FromMilliseconds(100) });
        await store.GetAndTouchAsync("host1@lvm", "image-a", T0.AddHours(1), CancellationToken.None);

        IReadOnlyList<ImageCacheEntry> whileLocked;
        using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_first.DatabasePath};Pooling=False"))
        {
            other.Open();
            using Microsoft.Data.Sqlite.SqliteTransaction writeLock = other.BeginTransaction(deferred: false);
            whileLocked = await store.GetLeastRecentlyUsedAsync("host1@lvm", 10, CancellationToken.None);
            writeLock.Rollback();
        }

        IReadOnlyList<ImageCacheEntry> after = await store.GetLeastRecentlyUsedAsync("host1@lvm", 10, CancellationToken.None);
        Assert.That(whileLocked.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a", "image-b" }), "read with the times written so far");
        Assert.That(after.Select(e => e.ImageId), Is.EqualTo(new[] { "image-b", "image-a" }), "the touch kept and written by the next read");
    }

    [Test]
    public async Task A_touch_written_behind_never_moves_back_a_later_time_another_store_wrote()
    {
        ImageCacheEntry? added = await _first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);
        await _first.GetAndTouchAsync("host1@lvm", "image-a", T0.AddHours(1), CancellationToken.None);
        await _second.GetAndTouchAsync("host1@lvm", "image-a", T0.AddHours(2), CancellationToken.None);

        await _second.FlushTouchesAsync(CancellationToken.None);
        await _first.FlushTouchesAsync(CancellationToken.None);

        using var third = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = _first.DatabasePath });
        Assert.That((await third.FindByVolumeIdAsync(added!.VolumeId, CancellationToken.None))?.LastUsed, Is.EqualTo(T0.AddHours(2)));
    }

    [Test]
    public async Task Two_stores_removing_the_same_entry_get_one_true_between_them()
    {
        ImageCacheEntry? added = await _first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None);

        bool[] removed = await Task.WhenAll(
            Task.Run(async () => await _first.RemoveAsync(added!.Id, CancellationToken.None)),
            Task.Run(async () => await _second.RemoveAsync(added!.Id, CancellationToken.None)));

        Assert.That(removed.Count(r => r), Is.EqualTo(1));
    }

    [Test]
    public async Task A_fill_lease_taken_through_one_store_holds_against_the_other_until_released()
    {
        var duration = TimeSpan.FromSeconds(30);
        await _first.TryAcquireFillLeaseAsync("host1@lvm", "image-a", "first", T0, duration, CancellationToken.None);

        bool whileHeld = await _second.TryAcquireFillLeaseAsync("host1@lvm", "image-a", "second", T0.AddSeconds(1), duration, CancellationToken.None);
        await _first.ReleaseFillLeaseAsync("host1@lvm", "image-a", "first", CancellationToken.None);
        bool released = await _second.TryAcquireFillLeaseAsync("host1@lvm", "image-a", "second", T0.AddSeconds(2), duration, CancellationToken.None);

        Assert.That(whileHeld, Is.False);
        Assert.That(released, Is.True);
    }

    [Test]
    public async Task Two_stores_racing_for_one_fill_lease_give_it_to_one_holder()
    {
        using var start = new ManualResetEventSlim();
        Task<bool>[] acquires = Enumerable.Range(0, 16)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                SqliteCacheEntryStore store = i % 2 == 0 ? _first : _second;
                return await store.TryAcquireFillLeaseAsync("host1@lvm", "image-a", $"holder-{i}", T0, TimeSpan.FromSeconds(30), CancellationToken.None);
            }))
            .ToArray();

        start.Set();
        bool[] results = await Task.WhenAll(acquires);

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }

    [Test]
    public async Task A_reservation_made_through_one_store_counts_in_the_other_and_its_volume_is_in_use()
    {
        var duration = TimeSpan.FromSeconds(30);
        await _first.TryAcquireFillLeaseAsync("host1@lvm", "image-a", "first", T0, duration, CancellationToken.None);
        await _first.ReserveSpaceAsync("host1@lvm", "image-a", "first", "volume-a", 4, CancellationToken.None);

        CacheScopeTotals reserved = await _second.GetReservedSpaceAsync("host1@lvm", T0.AddSeconds(1), CancellationToken.None);
        bool inUse = await _second.IsVolumeInUseAsync("volume-a", T0.AddSeconds(1), CancellationToken.None);

        Assert.That(reserved, Is.EqualTo(new CacheScopeTotals(1, 4)));
        Assert.That(inUse, Is.True);
    }

    [Test]
    public async Task A_removal_through_one_store_never_begins_beside_a_pin_taken_through_the_other()
    {
        for (int round = 0; round < 20; round++)
        {
            long entry = (await _first.TryAddAsync(Entry($"image-{round}", $"volume-{round}"), CancellationToken.None))!.Id;
            using var start = new ManualResetEventSlim();
            Task<bool>[] pins = Enumerable.Range(0, 8)
                .Select(i => Task.Run(async () =>
                {
                    start.Wait();
                    return await _second.TryPinEntryAsync(entry, $"pin-{i}", T0, TimeSpan.FromSeconds(30), CancellationToken.None);
                }))
                .ToArray();
            Task<bool> removal = Task.Run(async () =>
            {
                start.Wait();
                return await _first.TryBeginRemovalAsync(entry, "first", T0, TimeSpan.FromSeconds(30), CancellationToken.None);
            });

            start.Set();
            bool[] pinned = await Task.WhenAll(pins);
            bool removed = await removal;

            Assert.That(removed != pinned.Any(p => p), Is.True, $"Round {round}: exactly one of the removal and the pins wins.");
        }
    }

    [Test]
    public async Task Of_the_last_pins_of_a_retired_entry_released_through_two_stores_one_release_deletes_it()
    {
        long entry = (await _first.TryAddAsync(Entry("image-a", "volume-a"), CancellationToken.None))!.Id;
        for (int i = 0; i < 8; i++)
        {
            await _first.TryPinEntryAsync(entry, $"pin-{i}", T0, TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        await _second.TryRetireEntryAsync(entry, "volume-a", T0, CancellationToken.None);
        using var start = new ManualResetEventSlim();
        Task<bool>[] releases = Enumerable.Range(0, 8)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                SqliteCacheEntryStore store = i % 2 == 0 ? _first : _second;
                return await store.ReleasePinAsync(entry, $"pin-{i}", T0.AddSeconds(1), CancellationToken.None);
            }))
            .ToArray();

        start.Set();
        bool[] results = await Task.WhenAll(releases);

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }

    private static ImageCacheEntry Entry(string imageId, string volumeId) =>
        new(0, "host1@lvm", "host1@lvm", null, imageId, T0, volumeId, 1, T0, T0);
}
