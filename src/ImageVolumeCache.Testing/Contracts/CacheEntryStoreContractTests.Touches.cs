using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>
/// The rules of touches, for a store that writes them behind (<see cref="CacheEntryTouches"/>) as for one that writes
/// them with the lookup: a touch shows at once in the store's own reads and in the least-recently-used order (so an
/// eviction decision sees it), reaches another store on the same data within the store's interval (at most a second),
/// is written when the store is disposed, and never brings back an entry removed meanwhile.
/// </summary>
public abstract partial class CacheEntryStoreContractTests<TStore>
{
    /// <summary>
    /// How long a test waits for a touch to reach another store on the same data: a second's interval and room for a slow
    /// machine.
    /// </summary>
    private static readonly TimeSpan TouchReachesOthersWithin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens another store on the data of <see cref="Store"/>, as another process or host would (another object on the
    /// same file or schema). By default <see cref="Store"/> itself, for a store whose data no other object can open.
    /// </summary>
    /// <returns>The other store.</returns>
    protected virtual TStore OpenSameData() => Store;

    /// <summary>Closes a store made by <see cref="OpenSameData"/> (not its data); by default disposes it unless it is <see cref="Store"/>.</summary>
    /// <param name="other">The other store.</param>
    /// <returns>A task that completes when it is closed.</returns>
    protected virtual ValueTask CloseSameDataAsync(TStore other) =>
        ReferenceEquals(other, Store) ? ValueTask.CompletedTask : ContractSubject.DisposeAsync(other);

    /// <summary>Contract: a touch shows at once in the store's own reads: get, find by volume and list.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_touch_shows_at_once_in_the_stores_own_get_find_and_list()
    {
        ImageCacheEntry added = await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        DateTimeOffset now = T0.AddHours(1);

        await Store.GetAndTouchAsync(Scope, "image-a", now, CancellationToken.None).ConfigureAwait(false);

        Assert.Multiple(async () =>
        {
            Assert.That((await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false))?.LastUsed, Is.EqualTo(now));
            Assert.That((await Store.FindByVolumeIdAsync(added.VolumeId, CancellationToken.None).ConfigureAwait(false))?.LastUsed, Is.EqualTo(now));
            Assert.That((await Store.ListAsync(Scope, CancellationToken.None).ConfigureAwait(false)).Single().LastUsed, Is.EqualTo(now));
            Assert.That((await Store.ListAsync(null, CancellationToken.None).ConfigureAwait(false)).Single().LastUsed, Is.EqualTo(now));
        });
    }

    /// <summary>Contract: the least-recently-used order holds every touch made just before it is read, in the order made.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task The_least_recently_used_order_holds_every_touch_made_just_before_it_is_read()
    {
        string[] images = ["image-a", "image-b", "image-c", "image-d", "image-e"];
        for (int i = 0; i < images.Length; i++)
        {
            await AddAsync(Scope, images[i], lastUsed: T0.AddMinutes(i)).ConfigureAwait(false);
        }

        // Touched from the newest to the oldest, each later than the one before: the order turns round.
        for (int i = images.Length - 1; i >= 0; i--)
        {
            await Store.GetAndTouchAsync(Scope, images[i], T0.AddHours(1).AddMinutes(images.Length - i), CancellationToken.None).ConfigureAwait(false);
        }

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false);
        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(images.Reverse()));
    }

    /// <summary>Contract: a touch reaches another store on the same data within a second (the test allows ten).</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_touch_reaches_another_store_on_the_same_data_within_its_interval()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        DateTimeOffset now = T0.AddHours(1);
        TStore other = OpenSameData();
        try
        {
            await other.GetAndTouchAsync(Scope, "image-a", now, CancellationToken.None).ConfigureAwait(false);

            DateTimeOffset? seen = null;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TouchReachesOthersWithin)
            {
                seen = (await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false))?.LastUsed;
                if (seen == now)
                {
                    break;
                }

                await Task.Delay(50).ConfigureAwait(false);
            }

            Assert.That(seen, Is.EqualTo(now), $"The touch made through the other store was not seen within {TouchReachesOthersWithin}.");
        }
        finally
        {
            await CloseSameDataAsync(other).ConfigureAwait(false);
        }
    }

    /// <summary>Contract: closing a store writes the touches it holds.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Closing_a_store_writes_the_touches_it_holds()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        TStore other = OpenSameData();
        try
        {
            await other.GetAndTouchAsync(Scope, "image-a", T0.AddHours(1), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await CloseSameDataAsync(other).ConfigureAwait(false);
        }

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false);
        Assert.That(lru.Select(e => (e.ImageId, e.LastUsed)), Is.EqualTo(new[] { ("image-b", T0.AddMinutes(1)), ("image-a", T0.AddHours(1)) }));
    }

    /// <summary>Contract: the touch of an entry removed before it was written brings nothing back, here or in another store.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_touch_of_an_entry_removed_before_it_was_written_brings_nothing_back()
    {
        ImageCacheEntry added = await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        await Store.GetAndTouchAsync(Scope, "image-a", T0.AddHours(1), CancellationToken.None).ConfigureAwait(false);

        Assert.That(await Store.RemoveAsync(added.Id, CancellationToken.None).ConfigureAwait(false), Is.True);

        TStore other = OpenSameData();
        try
        {
            Assert.Multiple(async () =>
            {
                Assert.That(await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false), Is.Empty);
                Assert.That(await Store.ListAsync(null, CancellationToken.None).ConfigureAwait(false), Is.Empty);
                Assert.That(await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(0, 0)));
                Assert.That(await other.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.Null);
            });
        }
        finally
        {
            await CloseSameDataAsync(other).ConfigureAwait(false);
        }
    }

    /// <summary>Contract: a touch of an entry made again after its removal (same image, new entry) does not carry over.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_touch_of_a_removed_entry_does_not_carry_over_to_the_entry_made_again_for_its_image()
    {
        ImageCacheEntry first = await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        await Store.GetAndTouchAsync(Scope, "image-a", T0.AddHours(5), CancellationToken.None).ConfigureAwait(false);
        await Store.RemoveAsync(first.Id, CancellationToken.None).ConfigureAwait(false);

        ImageCacheEntry again = await AddAsync(Scope, "image-a", volumeId: "vol-again", lastUsed: T0.AddHours(1)).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> listed = await Store.ListAsync(Scope, CancellationToken.None).ConfigureAwait(false);
        Assert.That(listed, Is.EqualTo(new[] { again }));
        Assert.That(again.LastUsed, Is.EqualTo(T0.AddHours(1)));
    }
}
