namespace ImageVolumeCache.Tests.Storage;

/// <summary>
/// The contract every <see cref="ICacheEntryStore"/> keeps, written once and run against each store by a one-line subclass.
/// Tests use whole-second times so that stores with coarser clocks than .NET's (databases) can run them unchanged.
/// </summary>
/// <typeparam name="TStore">The store under test.</typeparam>
public abstract class CacheEntryStoreContractTests<TStore>
    where TStore : ICacheEntryStore
{
    protected const string Scope = "host1@lvm#pool-a";
    protected const string OtherScope = "host1@lvm#pool-b";
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    protected static readonly DateTimeOffset ImageUpdatedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private TStore _store = default!;

    /// <summary>The store under test.</summary>
    protected TStore Store => _store;

    /// <summary>Makes a new, empty store; called before every test.</summary>
    protected abstract TStore CreateStore();

    [SetUp]
    public void CreateStoreUnderTest() => _store = CreateStore();

    [TearDown]
    public async Task DisposeStoreUnderTest()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [Test]
    public async Task GetAndTouch_returns_null_when_the_scope_has_no_entry_for_the_image()
    {
        await AddAsync(Scope, "image-a");

        ImageCacheEntry? found = await Store.GetAndTouchAsync(Scope, "image-b", T0.AddMinutes(1), CancellationToken.None);

        Assert.That(found, Is.Null);
    }

    [Test]
    public async Task GetAndTouch_returns_the_entry_with_last_used_set_to_now()
    {
        ImageCacheEntry added = await AddAsync(Scope, "image-a", lastUsed: T0);
        DateTimeOffset now = T0.AddHours(1);

        ImageCacheEntry? found = await Store.GetAndTouchAsync(Scope, "image-a", now, CancellationToken.None);

        Assert.That(found, Is.EqualTo(added with { LastUsed = now }));
    }

    [Test]
    public async Task GetAndTouch_stores_the_new_last_used()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0);
        DateTimeOffset now = T0.AddHours(1);

        await Store.GetAndTouchAsync(Scope, "image-a", now, CancellationToken.None);

        ImageCacheEntry? stored = await Store.GetAsync(Scope, "image-a", CancellationToken.None);
        Assert.That(stored?.LastUsed, Is.EqualTo(now));
    }

    [Test]
    public async Task Get_returns_the_entry_without_touching_it()
    {
        ImageCacheEntry added = await AddAsync(Scope, "image-a", lastUsed: T0);

        ImageCacheEntry? found = await Store.GetAsync(Scope, "image-a", CancellationToken.None);

        Assert.That(found, Is.EqualTo(added));
    }

    [Test]
    public async Task Get_returns_null_when_the_scope_has_no_entry_for_the_image()
    {
        await AddAsync(OtherScope, "image-a");

        ImageCacheEntry? found = await Store.GetAsync(Scope, "image-a", CancellationToken.None);

        Assert.That(found, Is.Null);
    }

    [Test]
    public async Task TryAdd_returns_the_entry_as_given_with_a_positive_id()
    {
        ImageCacheEntry entry = NewEntry(Scope, "image-a");

        ImageCacheEntry? stored = await Store.TryAddAsync(entry, CancellationToken.None);

        Assert.That(stored, Is.Not.Null);
        Assert.That(stored!.Id, Is.Positive);
        Assert.That(stored, Is.EqualTo(entry with { Id = stored.Id }));
    }

    [Test]
    public async Task TryAdd_gives_each_entry_a_distinct_id_whatever_id_it_was_given()
    {
        var ids = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            ImageCacheEntry? stored = await Store.TryAddAsync(NewEntry(Scope, $"image-{i}") with { Id = 42 }, CancellationToken.None);
            ids.Add(stored!.Id);
        }

        Assert.That(ids, Is.Unique.And.All.Positive);
    }

    [Test]
    public async Task TryAdd_returns_null_when_the_scope_already_has_an_entry_for_the_image()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1");

        ImageCacheEntry? second = await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: "vol-2"), CancellationToken.None);

        Assert.That(second, Is.Null);
    }

    [Test]
    public async Task TryAdd_of_a_duplicate_keeps_the_first_entry()
    {
        ImageCacheEntry first = await AddAsync(Scope, "image-a", volumeId: "vol-1");

        await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: "vol-2"), CancellationToken.None);

        ImageCacheEntry? stored = await Store.GetAsync(Scope, "image-a", CancellationToken.None);
        Assert.That(stored, Is.EqualTo(first));
    }

    [Test]
    public async Task TryAdd_accepts_the_same_image_in_another_scope()
    {
        ImageCacheEntry first = await AddAsync(Scope, "image-a");

        ImageCacheEntry? other = await Store.TryAddAsync(NewEntry(OtherScope, "image-a"), CancellationToken.None);

        Assert.That(other, Is.Not.Null);
        Assert.That(other!.Id, Is.Not.EqualTo(first.Id));
    }

    [Test]
    public async Task TryAdd_from_many_tasks_at_once_stores_exactly_one_entry_per_key()
    {
        const int Contenders = 32;
        using var start = new ManualResetEventSlim();
        Task<ImageCacheEntry?>[] adds = Enumerable.Range(0, Contenders)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: $"vol-{i}"), CancellationToken.None);
            }))
            .ToArray();

        start.Set();
        ImageCacheEntry?[] results = await Task.WhenAll(adds);

        ImageCacheEntry winner = results.Single(r => r is not null)!;
        ImageCacheEntry? stored = await Store.GetAsync(Scope, "image-a", CancellationToken.None);
        Assert.That(stored, Is.EqualTo(winner));
    }

    [Test]
    public async Task Remove_returns_true_the_first_time_and_false_after()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a");

        bool first = await Store.RemoveAsync(entry.Id, CancellationToken.None);
        bool second = await Store.RemoveAsync(entry.Id, CancellationToken.None);

        Assert.That((first, second), Is.EqualTo((true, false)));
    }

    [Test]
    public async Task Remove_returns_false_for_an_unknown_id()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a");

        bool removed = await Store.RemoveAsync(entry.Id + 1000, CancellationToken.None);

        Assert.That(removed, Is.False);
    }

    [Test]
    public async Task Remove_makes_the_entry_unfindable_by_image_and_by_volume()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1");

        await Store.RemoveAsync(entry.Id, CancellationToken.None);

        Assert.That(await Store.GetAsync(Scope, "image-a", CancellationToken.None), Is.Null);
        Assert.That(await Store.FindByVolumeIdAsync("vol-1", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Remove_frees_the_key_for_a_new_entry()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1");
        await Store.RemoveAsync(entry.Id, CancellationToken.None);

        ImageCacheEntry? again = await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: "vol-2"), CancellationToken.None);

        Assert.That(again?.VolumeId, Is.EqualTo("vol-2"));
    }

    [Test]
    public async Task FindByVolumeId_returns_the_entry_of_a_cache_volume()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1");
        ImageCacheEntry second = await AddAsync(OtherScope, "image-b", volumeId: "vol-2");

        ImageCacheEntry? found = await Store.FindByVolumeIdAsync("vol-2", CancellationToken.None);

        Assert.That(found, Is.EqualTo(second));
    }

    [Test]
    public async Task FindByVolumeId_returns_null_for_a_volume_that_is_not_a_cache_volume()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1");

        ImageCacheEntry? found = await Store.FindByVolumeIdAsync("user-volume", CancellationToken.None);

        Assert.That(found, Is.Null);
    }

    [Test]
    public async Task GetLeastRecentlyUsed_returns_entries_oldest_last_use_first()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0.AddMinutes(3));
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(1));
        await AddAsync(Scope, "image-c", lastUsed: T0.AddMinutes(2));

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None);

        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-b", "image-c", "image-a" }));
    }

    [Test]
    public async Task GetLeastRecentlyUsed_orders_entries_used_at_the_same_time_by_id()
    {
        ImageCacheEntry later = await AddAsync(Scope, "image-later", lastUsed: T0.AddMinutes(1));
        ImageCacheEntry first = await AddAsync(Scope, "image-z", lastUsed: T0);
        ImageCacheEntry second = await AddAsync(Scope, "image-a", lastUsed: T0);
        ImageCacheEntry third = await AddAsync(Scope, "image-m", lastUsed: T0);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None);

        Assert.That(lru.Select(e => e.Id), Is.EqualTo(new[] { first.Id, second.Id, third.Id, later.Id }));
    }

    [Test]
    public async Task GetLeastRecentlyUsed_returns_at_most_max_count_entries()
    {
        for (int i = 0; i < 5; i++)
        {
            await AddAsync(Scope, $"image-{i}", lastUsed: T0.AddMinutes(i));
        }

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 2, CancellationToken.None);

        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-0", "image-1" }));
    }

    [Test]
    public async Task GetLeastRecentlyUsed_puts_a_touched_entry_last()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0);
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(1));
        await AddAsync(Scope, "image-c", lastUsed: T0.AddMinutes(2));

        await Store.GetAndTouchAsync(Scope, "image-a", T0.AddMinutes(10), CancellationToken.None);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None);
        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-b", "image-c", "image-a" }));
    }

    [Test]
    public async Task GetLeastRecentlyUsed_leaves_an_untouched_lookup_in_place()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0);
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(1));

        await Store.GetAsync(Scope, "image-a", CancellationToken.None);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None);
        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a", "image-b" }));
    }

    [Test]
    public async Task GetLeastRecentlyUsed_returns_only_entries_of_the_scope()
    {
        await AddAsync(OtherScope, "image-old", lastUsed: T0);
        await AddAsync(Scope, "image-a", lastUsed: T0.AddMinutes(1));

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None);

        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a" }));
    }

    [Test]
    public async Task GetLeastRecentlyUsed_returns_nothing_for_an_unknown_scope()
    {
        await AddAsync(Scope, "image-a");

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync("host9@nfs", 10, CancellationToken.None);

        Assert.That(lru, Is.Empty);
    }

    [Test]
    public async Task GetTotals_counts_the_entries_of_the_scope_and_sums_their_sizes()
    {
        await AddAsync(Scope, "image-a", sizeGb: 3);
        await AddAsync(Scope, "image-b", sizeGb: 5);
        await AddAsync(OtherScope, "image-c", sizeGb: 100);

        CacheScopeTotals totals = await Store.GetTotalsAsync(Scope, CancellationToken.None);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(2, 8)));
    }

    [Test]
    public async Task GetTotals_grows_when_an_entry_is_added()
    {
        await AddAsync(Scope, "image-a", sizeGb: 3);
        CacheScopeTotals before = await Store.GetTotalsAsync(Scope, CancellationToken.None);

        await AddAsync(Scope, "image-b", sizeGb: 5);

        CacheScopeTotals after = await Store.GetTotalsAsync(Scope, CancellationToken.None);
        Assert.That((before, after), Is.EqualTo((new CacheScopeTotals(1, 3), new CacheScopeTotals(2, 8))));
    }

    [Test]
    public async Task GetTotals_shrinks_when_an_entry_is_removed()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a", sizeGb: 3);
        await AddAsync(Scope, "image-b", sizeGb: 5);

        await Store.RemoveAsync(a.Id, CancellationToken.None);

        CacheScopeTotals totals = await Store.GetTotalsAsync(Scope, CancellationToken.None);
        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(1, 5)));
    }

    [Test]
    public async Task GetTotals_is_zero_once_the_last_entry_of_the_scope_is_removed()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a", sizeGb: 3);

        await Store.RemoveAsync(a.Id, CancellationToken.None);

        CacheScopeTotals totals = await Store.GetTotalsAsync(Scope, CancellationToken.None);
        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(0, 0)));
    }

    [Test]
    public async Task GetTotals_is_zero_for_an_unknown_scope()
    {
        await AddAsync(Scope, "image-a", sizeGb: 3);

        CacheScopeTotals totals = await Store.GetTotalsAsync("host9@nfs", CancellationToken.None);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(0, 0)));
    }

    [Test]
    public async Task List_of_every_scope_orders_by_scope_key_then_least_recently_used()
    {
        await AddAsync(OtherScope, "image-b2", lastUsed: T0.AddMinutes(5));
        await AddAsync(Scope, "image-a2", lastUsed: T0.AddMinutes(4));
        await AddAsync(OtherScope, "image-b1", lastUsed: T0.AddMinutes(1));
        await AddAsync(Scope, "image-a1", lastUsed: T0.AddMinutes(2));

        IReadOnlyList<ImageCacheEntry> all = await Store.ListAsync(null, CancellationToken.None);

        Assert.That(all.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a1", "image-a2", "image-b1", "image-b2" }));
    }

    [Test]
    public async Task List_of_one_scope_returns_only_its_entries_least_recently_used_first()
    {
        await AddAsync(Scope, "image-a2", lastUsed: T0.AddMinutes(4));
        await AddAsync(OtherScope, "image-b1", lastUsed: T0.AddMinutes(1));
        await AddAsync(Scope, "image-a1", lastUsed: T0.AddMinutes(2));

        IReadOnlyList<ImageCacheEntry> listed = await Store.ListAsync(Scope, CancellationToken.None);

        Assert.That(listed.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a1", "image-a2" }));
    }

    [Test]
    public async Task List_of_an_empty_store_is_empty()
    {
        IReadOnlyList<ImageCacheEntry> all = await Store.ListAsync(null, CancellationToken.None);

        Assert.That(all, Is.Empty);
    }

    [TestCaseSource(nameof(Operations))]
    public async Task Every_operation_throws_when_the_token_is_already_cancelled(string operation)
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        CancellationToken token = cancelled.Token;

        Func<Task> call = operation switch
        {
            nameof(ICacheEntryStore.GetAndTouchAsync) => async () => await Store.GetAndTouchAsync(Scope, "image-a", T0.AddMinutes(1), token),
            nameof(ICacheEntryStore.GetAsync) => async () => await Store.GetAsync(Scope, "image-a", token),
            nameof(ICacheEntryStore.FindByVolumeIdAsync) => async () => await Store.FindByVolumeIdAsync("vol-1", token),
            nameof(ICacheEntryStore.TryAddAsync) => async () => await Store.TryAddAsync(NewEntry(Scope, "image-b", volumeId: "vol-2"), token),
            nameof(ICacheEntryStore.RemoveAsync) => async () => await Store.RemoveAsync(entry.Id, token),
            nameof(ICacheEntryStore.GetLeastRecentlyUsedAsync) => async () => await Store.GetLeastRecentlyUsedAsync(Scope, 10, token),
            nameof(ICacheEntryStore.GetTotalsAsync) => async () => await Store.GetTotalsAsync(Scope, token),
            nameof(ICacheEntryStore.ListAsync) => async () => await Store.ListAsync(null, token),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation."),
        };

        await Assert.ThatAsync(() => call(), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_cancelled_add_or_remove_changes_nothing()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1", sizeGb: 2);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThatAsync(async () => await Store.TryAddAsync(NewEntry(Scope, "image-b", volumeId: "vol-2"), cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        await Assert.ThatAsync(async () => await Store.RemoveAsync(entry.Id, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());

        IReadOnlyList<ImageCacheEntry> all = await Store.ListAsync(null, CancellationToken.None);
        Assert.That(all, Is.EqualTo(new[] { entry }));
    }

    /// <summary>The name of every <see cref="ICacheEntryStore"/> operation.</summary>
    protected static IEnumerable<string> Operations() => typeof(ICacheEntryStore).GetMethods().Select(m => m.Name);

    /// <summary>Makes an entry that is not stored yet (id 0).</summary>
    protected static ImageCacheEntry NewEntry(string scopeKey, string imageId, string? volumeId = null, int sizeGb = 1, DateTimeOffset? lastUsed = null) =>
        new(
            Id: 0,
            ScopeKey: scopeKey,
            Host: scopeKey,
            Cluster: null,
            ImageId: imageId,
            ImageUpdatedAt: ImageUpdatedAt,
            VolumeId: volumeId ?? $"vol-{scopeKey}-{imageId}",
            SizeGb: sizeGb,
            CreatedAt: T0,
            LastUsed: lastUsed ?? T0);

    /// <summary>Adds an entry and returns it as stored.</summary>
    protected async Task<ImageCacheEntry> AddAsync(string scopeKey, string imageId, string? volumeId = null, int sizeGb = 1, DateTimeOffset? lastUsed = null)
    {
        ImageCacheEntry? stored = await Store.TryAddAsync(NewEntry(scopeKey, imageId, volumeId, sizeGb, lastUsed), CancellationToken.None);
        Assert.That(stored, Is.Not.Null, $"The store refused entry ({scopeKey}, {imageId}).");
        return stored!;
    }
}
