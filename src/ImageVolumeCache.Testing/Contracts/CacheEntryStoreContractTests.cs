using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>
/// The contract every <see cref="ICacheEntryStore"/> keeps, written once and run against each store by a one-line
/// subclass (in-memory, SQLite, and any store a host writes): same inputs, same answers, including LRU order and ties,
/// touch, totals, concurrent inserts of one key and removal of a missing entry; and (in <c>.Scopes.cs</c>) moving a
/// scope's entries into a cluster and finding an image in the other pools of a backend.
/// Tests use whole-second times unless they test precision, so that stores with coarser clocks can run them unchanged.
/// </summary>
/// <typeparam name="TStore">The store under test.</typeparam>
public abstract partial class CacheEntryStoreContractTests<TStore>
    where TStore : ICacheEntryStore
{
    /// <summary>The scope most tests use (a host with a pool).</summary>
    protected const string Scope = "host1@lvm#pool-a";

    /// <summary>A second scope of the same backend.</summary>
    protected const string OtherScope = "host1@lvm#pool-b";

    /// <summary>The time entries are made at unless a test says otherwise.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The image version entries hold unless a test says otherwise.</summary>
    protected static readonly DateTimeOffset ImageUpdatedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private TStore _store = default!;

    /// <summary>The store under test.</summary>
    protected TStore Store => _store;

    /// <summary>Makes a new, empty store; called before every test.</summary>
    /// <returns>The store.</returns>
    protected abstract TStore CreateStore();

    /// <summary>Releases a store after a test; by default disposes it when it is disposable. Override to delete its files too.</summary>
    /// <param name="store">The store made by <see cref="CreateStore"/>.</param>
    /// <returns>A task that completes when the store is released.</returns>
    protected virtual ValueTask DisposeStoreAsync(TStore store) => ContractSubject.DisposeAsync(store);

    /// <summary>Makes the store under test.</summary>
    [SetUp]
    public void CreateStoreUnderTest() => _store = CreateStore();

    /// <summary>Releases the store under test.</summary>
    /// <returns>A task that completes when the store is released.</returns>
    [TearDown]
    public async Task DisposeStoreUnderTest() => await DisposeStoreAsync(_store).ConfigureAwait(false);

    /// <summary>Contract: GetAndTouch returns null when the scope has no entry for the image.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetAndTouch_returns_null_when_the_scope_has_no_entry_for_the_image()
    {
        await AddAsync(Scope, "image-a").ConfigureAwait(false);

        ImageCacheEntry? found = await Store.GetAndTouchAsync(Scope, "image-b", T0.AddMinutes(1), CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.Null);
    }

    /// <summary>Contract: GetAndTouch returns the entry with last used set to now.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetAndTouch_returns_the_entry_with_last_used_set_to_now()
    {
        ImageCacheEntry added = await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        DateTimeOffset now = T0.AddHours(1);

        ImageCacheEntry? found = await Store.GetAndTouchAsync(Scope, "image-a", now, CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.EqualTo(added with { LastUsed = now }));
    }

    /// <summary>Contract: GetAndTouch stores the new last used.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetAndTouch_stores_the_new_last_used()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        DateTimeOffset now = T0.AddHours(1);

        await Store.GetAndTouchAsync(Scope, "image-a", now, CancellationToken.None).ConfigureAwait(false);

        ImageCacheEntry? stored = await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);
        Assert.That(stored?.LastUsed, Is.EqualTo(now));
    }

    /// <summary>Contract: Get returns the entry without touching it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Get_returns_the_entry_without_touching_it()
    {
        ImageCacheEntry added = await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);

        ImageCacheEntry? found = await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.EqualTo(added));
    }

    /// <summary>Contract: Get returns null when the scope has no entry for the image.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Get_returns_null_when_the_scope_has_no_entry_for_the_image()
    {
        await AddAsync(OtherScope, "image-a").ConfigureAwait(false);

        ImageCacheEntry? found = await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.Null);
    }

    /// <summary>Contract: TryAdd returns the entry as given with a positive id.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_returns_the_entry_as_given_with_a_positive_id()
    {
        ImageCacheEntry entry = NewEntry(Scope, "image-a");

        ImageCacheEntry? stored = await Store.TryAddAsync(entry, CancellationToken.None).ConfigureAwait(false);

        Assert.That(stored, Is.Not.Null);
        Assert.That(stored!.Id, Is.Positive);
        Assert.That(stored, Is.EqualTo(entry with { Id = stored.Id }));
    }

    /// <summary>Contract: TryAdd gives each entry a distinct id whatever id it was given.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_gives_each_entry_a_distinct_id_whatever_id_it_was_given()
    {
        var ids = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            ImageCacheEntry? stored = await Store.TryAddAsync(NewEntry(Scope, $"image-{i}") with { Id = 42 }, CancellationToken.None).ConfigureAwait(false);
            ids.Add(stored!.Id);
        }

        Assert.That(ids, Is.Unique.And.All.Positive);
    }

    /// <summary>Contract: TryAdd returns null when the scope already has an entry for the image.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_returns_null_when_the_scope_already_has_an_entry_for_the_image()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);

        ImageCacheEntry? second = await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: "vol-2"), CancellationToken.None).ConfigureAwait(false);

        Assert.That(second, Is.Null);
    }

    /// <summary>Contract: TryAdd of a duplicate keeps the first entry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_of_a_duplicate_keeps_the_first_entry()
    {
        ImageCacheEntry first = await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);

        await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: "vol-2"), CancellationToken.None).ConfigureAwait(false);

        ImageCacheEntry? stored = await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);
        Assert.That(stored, Is.EqualTo(first));
    }

    /// <summary>Contract: TryAdd accepts the same image in another scope.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_accepts_the_same_image_in_another_scope()
    {
        ImageCacheEntry first = await AddAsync(Scope, "image-a").ConfigureAwait(false);

        ImageCacheEntry? other = await Store.TryAddAsync(NewEntry(OtherScope, "image-a"), CancellationToken.None).ConfigureAwait(false);

        Assert.That(other, Is.Not.Null);
        Assert.That(other!.Id, Is.Not.EqualTo(first.Id));
    }

    /// <summary>Contract: TryAdd from many tasks at once stores exactly one entry per key.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_from_many_tasks_at_once_stores_exactly_one_entry_per_key()
    {
        const int Contenders = 32;
        using var start = new ManualResetEventSlim();
        Task<ImageCacheEntry?>[] adds = Enumerable.Range(0, Contenders)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: $"vol-{i}"), CancellationToken.None).ConfigureAwait(false);
            }))
            .ToArray();

        start.Set();
        ImageCacheEntry?[] results = await Task.WhenAll(adds).ConfigureAwait(false);

        ImageCacheEntry winner = results.Single(r => r is not null)!;
        ImageCacheEntry? stored = await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);
        Assert.That(stored, Is.EqualTo(winner));
    }

    /// <summary>Contract: Remove returns true the first time and false after.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Remove_returns_true_the_first_time_and_false_after()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a").ConfigureAwait(false);

        bool first = await Store.RemoveAsync(entry.Id, CancellationToken.None).ConfigureAwait(false);
        bool second = await Store.RemoveAsync(entry.Id, CancellationToken.None).ConfigureAwait(false);

        Assert.That((first, second), Is.EqualTo((true, false)));
    }

    /// <summary>Contract: Remove returns false for an unknown id.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Remove_returns_false_for_an_unknown_id()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a").ConfigureAwait(false);

        bool removed = await Store.RemoveAsync(entry.Id + 1000, CancellationToken.None).ConfigureAwait(false);

        Assert.That(removed, Is.False);
    }

    /// <summary>Contract: Remove makes the entry unfindable by image and by volume.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Remove_makes_the_entry_unfindable_by_image_and_by_volume()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);

        await Store.RemoveAsync(entry.Id, CancellationToken.None).ConfigureAwait(false);

        Assert.That(await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false), Is.Null);
        Assert.That(await Store.FindByVolumeIdAsync("vol-1", CancellationToken.None).ConfigureAwait(false), Is.Null);
    }

    /// <summary>Contract: Remove frees the key for a new entry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Remove_frees_the_key_for_a_new_entry()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);
        await Store.RemoveAsync(entry.Id, CancellationToken.None).ConfigureAwait(false);

        ImageCacheEntry? again = await Store.TryAddAsync(NewEntry(Scope, "image-a", volumeId: "vol-2"), CancellationToken.None).ConfigureAwait(false);

        Assert.That(again?.VolumeId, Is.EqualTo("vol-2"));
    }

    /// <summary>Contract: FindByVolumeId returns the entry of a cache volume.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task FindByVolumeId_returns_the_entry_of_a_cache_volume()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);
        ImageCacheEntry second = await AddAsync(OtherScope, "image-b", volumeId: "vol-2").ConfigureAwait(false);

        ImageCacheEntry? found = await Store.FindByVolumeIdAsync("vol-2", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.EqualTo(second));
    }

    /// <summary>Contract: FindByVolumeId returns null for a volume that is not a cache volume.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task FindByVolumeId_returns_null_for_a_volume_that_is_not_a_cache_volume()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);

        ImageCacheEntry? found = await Store.FindByVolumeIdAsync("user-volume", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.Null);
    }

    /// <summary>Contract: GetLeastRecentlyUsed returns entries oldest last use first.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetLeastRecentlyUsed_returns_entries_oldest_last_use_first()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0.AddMinutes(3)).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        await AddAsync(Scope, "image-c", lastUsed: T0.AddMinutes(2)).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false);

        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-b", "image-c", "image-a" }));
    }

    /// <summary>Contract: GetLeastRecentlyUsed orders entries used at the same time by id.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetLeastRecentlyUsed_orders_entries_used_at_the_same_time_by_id()
    {
        ImageCacheEntry later = await AddAsync(Scope, "image-later", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        ImageCacheEntry first = await AddAsync(Scope, "image-z", lastUsed: T0).ConfigureAwait(false);
        ImageCacheEntry second = await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        ImageCacheEntry third = await AddAsync(Scope, "image-m", lastUsed: T0).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false);

        Assert.That(lru.Select(e => e.Id), Is.EqualTo(new[] { first.Id, second.Id, third.Id, later.Id }));
    }

    /// <summary>Contract: GetLeastRecentlyUsed returns at most max count entries.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetLeastRecentlyUsed_returns_at_most_max_count_entries()
    {
        for (int i = 0; i < 5; i++)
        {
            await AddAsync(Scope, $"image-{i}", lastUsed: T0.AddMinutes(i)).ConfigureAwait(false);
        }

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 2, CancellationToken.None).ConfigureAwait(false);

        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-0", "image-1" }));
    }

    /// <summary>Contract: GetLeastRecentlyUsed puts a touched entry last.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetLeastRecentlyUsed_puts_a_touched_entry_last()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        await AddAsync(Scope, "image-c", lastUsed: T0.AddMinutes(2)).ConfigureAwait(false);

        await Store.GetAndTouchAsync(Scope, "image-a", T0.AddMinutes(10), CancellationToken.None).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false);
        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-b", "image-c", "image-a" }));
    }

    /// <summary>Contract: GetLeastRecentlyUsed leaves an untouched lookup in place.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetLeastRecentlyUsed_leaves_an_untouched_lookup_in_place()
    {
        await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);

        await Store.GetAsync(Scope, "image-a", CancellationToken.None).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false);
        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a", "image-b" }));
    }

    /// <summary>Contract: GetLeastRecentlyUsed returns only entries of the scope.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetLeastRecentlyUsed_returns_only_entries_of_the_scope()
    {
        await AddAsync(OtherScope, "image-old", lastUsed: T0).ConfigureAwait(false);
        await AddAsync(Scope, "image-a", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync(Scope, 10, CancellationToken.None).ConfigureAwait(false);

        Assert.That(lru.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a" }));
    }

    /// <summary>Contract: GetLeastRecentlyUsed returns nothing for an unknown scope.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetLeastRecentlyUsed_returns_nothing_for_an_unknown_scope()
    {
        await AddAsync(Scope, "image-a").ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> lru = await Store.GetLeastRecentlyUsedAsync("host9@nfs", 10, CancellationToken.None).ConfigureAwait(false);

        Assert.That(lru, Is.Empty);
    }

    /// <summary>Contract: GetTotals counts the entries of the scope and sums their sizes.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetTotals_counts_the_entries_of_the_scope_and_sums_their_sizes()
    {
        await AddAsync(Scope, "image-a", sizeGb: 3).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", sizeGb: 5).ConfigureAwait(false);
        await AddAsync(OtherScope, "image-c", sizeGb: 100).ConfigureAwait(false);

        CacheScopeTotals totals = await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(2, 8)));
    }

    /// <summary>Contract: GetTotals grows when an entry is added.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetTotals_grows_when_an_entry_is_added()
    {
        await AddAsync(Scope, "image-a", sizeGb: 3).ConfigureAwait(false);
        CacheScopeTotals before = await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false);

        await AddAsync(Scope, "image-b", sizeGb: 5).ConfigureAwait(false);

        CacheScopeTotals after = await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false);
        Assert.That((before, after), Is.EqualTo((new CacheScopeTotals(1, 3), new CacheScopeTotals(2, 8))));
    }

    /// <summary>Contract: GetTotals shrinks when an entry is removed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetTotals_shrinks_when_an_entry_is_removed()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a", sizeGb: 3).ConfigureAwait(false);
        await AddAsync(Scope, "image-b", sizeGb: 5).ConfigureAwait(false);

        await Store.RemoveAsync(a.Id, CancellationToken.None).ConfigureAwait(false);

        CacheScopeTotals totals = await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false);
        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(1, 5)));
    }

    /// <summary>Contract: GetTotals is zero once the last entry of the scope is removed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetTotals_is_zero_once_the_last_entry_of_the_scope_is_removed()
    {
        ImageCacheEntry a = await AddAsync(Scope, "image-a", sizeGb: 3).ConfigureAwait(false);

        await Store.RemoveAsync(a.Id, CancellationToken.None).ConfigureAwait(false);

        CacheScopeTotals totals = await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false);
        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(0, 0)));
    }

    /// <summary>Contract: GetTotals is zero for an unknown scope.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetTotals_is_zero_for_an_unknown_scope()
    {
        await AddAsync(Scope, "image-a", sizeGb: 3).ConfigureAwait(false);

        CacheScopeTotals totals = await Store.GetTotalsAsync("host9@nfs", CancellationToken.None).ConfigureAwait(false);

        Assert.That(totals, Is.EqualTo(new CacheScopeTotals(0, 0)));
    }

    /// <summary>Contract: List of every scope orders by scope key then least recently used.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task List_of_every_scope_orders_by_scope_key_then_least_recently_used()
    {
        await AddAsync(OtherScope, "image-b2", lastUsed: T0.AddMinutes(5)).ConfigureAwait(false);
        await AddAsync(Scope, "image-a2", lastUsed: T0.AddMinutes(4)).ConfigureAwait(false);
        await AddAsync(OtherScope, "image-b1", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        await AddAsync(Scope, "image-a1", lastUsed: T0.AddMinutes(2)).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> all = await Store.ListAsync(null, CancellationToken.None).ConfigureAwait(false);

        Assert.That(all.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a1", "image-a2", "image-b1", "image-b2" }));
    }

    /// <summary>Contract: List of one scope returns only its entries least recently used first.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task List_of_one_scope_returns_only_its_entries_least_recently_used_first()
    {
        await AddAsync(Scope, "image-a2", lastUsed: T0.AddMinutes(4)).ConfigureAwait(false);
        await AddAsync(OtherScope, "image-b1", lastUsed: T0.AddMinutes(1)).ConfigureAwait(false);
        await AddAsync(Scope, "image-a1", lastUsed: T0.AddMinutes(2)).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> listed = await Store.ListAsync(Scope, CancellationToken.None).ConfigureAwait(false);

        Assert.That(listed.Select(e => e.ImageId), Is.EqualTo(new[] { "image-a1", "image-a2" }));
    }

    /// <summary>Contract: List of an empty store is empty.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task List_of_an_empty_store_is_empty()
    {
        IReadOnlyList<ImageCacheEntry> all = await Store.ListAsync(null, CancellationToken.None).ConfigureAwait(false);

        Assert.That(all, Is.Empty);
    }

    /// <summary>Contract: Every operation throws when the token is already cancelled.</summary>
    /// <param name="operation">The name of the operation.</param>
    /// <returns>A task that completes when the test has run.</returns>
    [TestCaseSource(nameof(Operations))]
    public async Task Every_operation_throws_when_the_token_is_already_cancelled(string operation)
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync().ConfigureAwait(false);
        CancellationToken token = cancelled.Token;

        Func<Task> call = operation switch
        {
            nameof(ICacheEntryStore.GetAndTouchAsync) => async () => await Store.GetAndTouchAsync(Scope, "image-a", T0.AddMinutes(1), token).ConfigureAwait(false),
            nameof(ICacheEntryStore.GetAsync) => async () => await Store.GetAsync(Scope, "image-a", token).ConfigureAwait(false),
            nameof(ICacheEntryStore.FindByVolumeIdAsync) => async () => await Store.FindByVolumeIdAsync("vol-1", token).ConfigureAwait(false),
            nameof(ICacheEntryStore.TryAddAsync) => async () => await Store.TryAddAsync(NewEntry(Scope, "image-b", volumeId: "vol-2"), token).ConfigureAwait(false),
            nameof(ICacheEntryStore.RemoveAsync) => async () => await Store.RemoveAsync(entry.Id, token).ConfigureAwait(false),
            nameof(ICacheEntryStore.GetLeastRecentlyUsedAsync) => async () => await Store.GetLeastRecentlyUsedAsync(Scope, 10, token).ConfigureAwait(false),
            nameof(ICacheEntryStore.GetTotalsAsync) => async () => await Store.GetTotalsAsync(Scope, token).ConfigureAwait(false),
            nameof(ICacheEntryStore.ListAsync) => async () => await Store.ListAsync(null, token).ConfigureAwait(false),
            nameof(ICacheEntryStore.MoveToClusterAsync) => async () => await Store.MoveToClusterAsync(Scope, ClusterScope, token).ConfigureAwait(false),
            nameof(ICacheEntryStore.FindInOtherPoolsAsync) => async () => await Store.FindInOtherPoolsAsync(Scope, "image-a", token).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation."),
        };

        await Assert.ThatAsync(() => call(), Throws.InstanceOf<OperationCanceledException>()).ConfigureAwait(false);
    }

    /// <summary>Contract: A cancelled add or remove changes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_cancelled_add_or_remove_changes_nothing()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", volumeId: "vol-1", sizeGb: 2).ConfigureAwait(false);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync().ConfigureAwait(false);

        await Assert.ThatAsync(async () => await Store.TryAddAsync(NewEntry(Scope, "image-b", volumeId: "vol-2"), cancelled.Token).ConfigureAwait(false), Throws.InstanceOf<OperationCanceledException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Store.RemoveAsync(entry.Id, cancelled.Token).ConfigureAwait(false), Throws.InstanceOf<OperationCanceledException>()).ConfigureAwait(false);

        IReadOnlyList<ImageCacheEntry> all = await Store.ListAsync(null, CancellationToken.None).ConfigureAwait(false);
        Assert.That(all, Is.EqualTo(new[] { entry }));
    }

    /// <summary>Contract: Remove from many tasks at once returns true to exactly one of them.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Remove_from_many_tasks_at_once_returns_true_to_exactly_one()
    {
        ImageCacheEntry entry = await AddAsync(Scope, "image-a", sizeGb: 4).ConfigureAwait(false);
        using var start = new ManualResetEventSlim();
        Task<bool>[] removes = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await Store.RemoveAsync(entry.Id, CancellationToken.None).ConfigureAwait(false);
            }))
            .ToArray();

        start.Set();
        bool[] results = await Task.WhenAll(removes).ConfigureAwait(false);

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        Assert.That(await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(0, 0)));
    }

    /// <summary>Contract: TryAdd from many tasks at once for different images keeps every entry and the totals exact.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_from_many_tasks_at_once_for_different_images_keeps_every_entry_and_exact_totals()
    {
        const int Images = 40;
        Task<ImageCacheEntry?>[] adds = Enumerable.Range(0, Images)
            .Select(i => Task.Run(async () => await Store.TryAddAsync(NewEntry(Scope, $"image-{i}", sizeGb: 2), CancellationToken.None).ConfigureAwait(false)))
            .ToArray();

        ImageCacheEntry?[] results = await Task.WhenAll(adds).ConfigureAwait(false);

        Assert.That(results, Is.All.Not.Null);
        Assert.That(await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(Images, Images * 2)));
    }

    /// <summary>Contract: TryAdd refuses a volume that already belongs to another entry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task TryAdd_throws_when_the_volume_already_belongs_to_an_entry()
    {
        await AddAsync(Scope, "image-a", volumeId: "vol-1").ConfigureAwait(false);

        await Assert.ThatAsync(
            async () => await Store.TryAddAsync(NewEntry(Scope, "image-b", volumeId: "vol-1"), CancellationToken.None).ConfigureAwait(false),
            Throws.InstanceOf<InvalidOperationException>()).ConfigureAwait(false);
        Assert.That(await Store.GetTotalsAsync(Scope, CancellationToken.None).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(1, 1)));
    }

    /// <summary>Contract: An entry keeps every field exactly, times to the tick and whatever their offset.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task An_entry_keeps_every_field_with_times_exact_to_the_tick()
    {
        var offset = TimeSpan.FromHours(2);
        ImageCacheEntry entry = NewEntry(Scope, "image-a", volumeId: "vol-1", sizeGb: 7) with
        {
            Host = "host1@lvm#pool-a",
            ScopeKey = "cluster-1",
            Cluster = "cluster-1",
            ImageUpdatedAt = new DateTimeOffset(2026, 1, 1, 12, 30, 15, offset).AddTicks(1_234_567),
            CreatedAt = T0.AddTicks(9_876_543),
            LastUsed = T0.AddTicks(9_876_544),
        };

        ImageCacheEntry? stored = await Store.TryAddAsync(entry, CancellationToken.None).ConfigureAwait(false);
        ImageCacheEntry? found = await Store.FindByVolumeIdAsync("vol-1", CancellationToken.None).ConfigureAwait(false);

        Assert.That(found, Is.EqualTo(entry with { Id = stored!.Id }));
        Assert.That(found!.ImageUpdatedAt.UtcTicks, Is.EqualTo(entry.ImageUpdatedAt.UtcTicks));
    }

    /// <summary>Contract: GetAndTouch of one image leaves the other entries of the scope untouched.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task GetAndTouch_leaves_the_other_entries_untouched()
    {
        ImageCacheEntry other = await AddAsync(Scope, "image-b", lastUsed: T0).ConfigureAwait(false);
        await AddAsync(Scope, "image-a", lastUsed: T0).ConfigureAwait(false);

        await Store.GetAndTouchAsync(Scope, "image-a", T0.AddHours(1), CancellationToken.None).ConfigureAwait(false);

        Assert.That(await Store.GetAsync(Scope, "image-b", CancellationToken.None).ConfigureAwait(false), Is.EqualTo(other));
    }

    /// <summary>The name of every <see cref="ICacheEntryStore"/> operation.</summary>
    /// <returns>The names.</returns>
    protected static IEnumerable<string> Operations() => typeof(ICacheEntryStore).GetMethods().Select(m => m.Name);

    /// <summary>Makes an entry that is not stored yet (id 0).</summary>
    /// <param name="scopeKey">The scope key (also the host).</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="volumeId">The volume id; by default made from the scope and image.</param>
    /// <param name="sizeGb">The size in GB.</param>
    /// <param name="lastUsed">The last use; by default <see cref="T0"/>.</param>
    /// <returns>The entry.</returns>
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
    /// <param name="scopeKey">The scope key (also the host).</param>
    /// <param name="imageId">The image id.</param>
    /// <param name="volumeId">The volume id; by default made from the scope and image.</param>
    /// <param name="sizeGb">The size in GB.</param>
    /// <param name="lastUsed">The last use; by default <see cref="T0"/>.</param>
    /// <returns>The entry as stored.</returns>
    protected async Task<ImageCacheEntry> AddAsync(string scopeKey, string imageId, string? volumeId = null, int sizeGb = 1, DateTimeOffset? lastUsed = null)
    {
        ImageCacheEntry? stored = await Store.TryAddAsync(NewEntry(scopeKey, imageId, volumeId, sizeGb, lastUsed), CancellationToken.None).ConfigureAwait(false);
        Assert.That(stored, Is.Not.Null, $"The store refused entry ({scopeKey}, {imageId}).");
        return stored!;
    }
}
