using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>
/// The contract every <see cref="ICacheCoordination"/> keeps, written once and run against each store that coordinates
/// by a one-line subclass (in-memory, SQLite, PostgreSQL, and any store a host writes): one holder per (scope, image) at a
/// time, extension by the holder, takeover once a lease ran out, renewal and release by the holder only, argument checks,
/// and one winner when many holders race for one lease; reservations and in-progress marks on leases, the scope lock; pins
/// that exclude removal, seen by two clients, retirement and the one release that deletes a retired entry's volume.
/// </summary>
/// <remarks>
/// When the coordination is also an <see cref="ICacheEntryStore"/>, the pin tests pin entries it stores, and a pin of an
/// entry it does not store must fail.
/// </remarks>
/// <typeparam name="TCoordination">The coordination under test (usually a store).</typeparam>
public abstract class CacheCoordinationContractTests<TCoordination>
    where TCoordination : ICacheCoordination
{
    /// <summary>The scope most tests use (a host with a pool).</summary>
    protected const string Scope = "host1@lvm#pool-a";

    /// <summary>A second scope of the same backend.</summary>
    protected const string OtherScope = "host1@lvm#pool-b";

    /// <summary>The image most tests lease.</summary>
    protected const string Image = "image-a";

    /// <summary>The holder that takes the lease first.</summary>
    protected const string First = "host-1/1234/cache-1";

    /// <summary>A holder that wants the same lease.</summary>
    protected const string Second = "host-2/5678/cache-1";

    /// <summary>The time leases are taken at unless a test says otherwise.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How long a lease lasts unless a test says otherwise.</summary>
    protected static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    private TCoordination _coordination = default!;
    private long _nextEntryId;

    /// <summary>The coordination under test.</summary>
    protected TCoordination Coordination => _coordination;

    /// <summary>Makes a new coordination that holds no lease; called before every test.</summary>
    /// <returns>The coordination.</returns>
    protected abstract TCoordination CreateCoordination();

    /// <summary>Releases a coordination after a test; by default disposes it when it is disposable. Override to delete its files too.</summary>
    /// <param name="coordination">The coordination made by <see cref="CreateCoordination"/>.</param>
    /// <returns>A task that completes when the coordination is released.</returns>
    protected virtual ValueTask DisposeCoordinationAsync(TCoordination coordination) => ContractSubject.DisposeAsync(coordination);

    /// <summary>Makes the coordination under test.</summary>
    [SetUp]
    public void CreateCoordinationUnderTest() => _coordination = CreateCoordination();

    /// <summary>Releases the coordination under test.</summary>
    /// <returns>A task that completes when the coordination is released.</returns>
    [TearDown]
    public async Task DisposeCoordinationUnderTest() => await DisposeCoordinationAsync(_coordination).ConfigureAwait(false);

    /// <summary>Contract: Acquire succeeds when nobody holds the lease.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Acquire_succeeds_when_nobody_holds_the_lease()
    {
        Assert.That(await AcquireAsync(First, T0).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Acquire by another holder fails while the lease is held, up to the last tick before it runs out.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Acquire_by_another_holder_fails_while_the_lease_is_held()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        Assert.That(await AcquireAsync(Second, T0).ConfigureAwait(false), Is.False);
        Assert.That(await AcquireAsync(Second, T0 + Duration - TimeSpan.FromTicks(1)).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: The leases of different scopes and of different images are independent.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Leases_of_different_scopes_and_images_are_independent()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        Assert.That(await AcquireAsync(Second, T0, scopeKey: OtherScope).ConfigureAwait(false), Is.True);
        Assert.That(await AcquireAsync(Second, T0, imageId: "image-b").ConfigureAwait(false), Is.True);
        Assert.That(await AcquireAsync(Second, T0).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: Acquire by the holder of the lease succeeds and extends it from the new time.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Acquire_by_the_holder_extends_its_lease()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        Assert.That(await AcquireAsync(First, T0.AddSeconds(20)).ConfigureAwait(false), Is.True);

        Assert.That(await AcquireAsync(Second, T0.AddSeconds(40)).ConfigureAwait(false), Is.False);
        Assert.That(await AcquireAsync(Second, T0.AddSeconds(50)).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Another holder takes over a lease the moment it runs out (its expiry is not after now).</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Acquire_takes_over_a_lease_that_ran_out()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        Assert.That(await AcquireAsync(Second, T0 + Duration).ConfigureAwait(false), Is.True);
        Assert.That(await AcquireAsync(First, T0 + Duration + TimeSpan.FromSeconds(1)).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: The first holder cannot renew a lease another holder took over.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Renew_fails_after_another_holder_took_the_lease_over()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);
        await AcquireAsync(Second, T0.AddSeconds(31)).ConfigureAwait(false);

        Assert.That(await RenewAsync(First, T0.AddSeconds(32)).ConfigureAwait(false), Is.False);
        Assert.That(await AcquireAsync(First, T0.AddSeconds(33)).ConfigureAwait(false), Is.False, "The takeover holds the lease.");
    }

    /// <summary>Contract: Renew extends the lease from the new time: another holder still fails just after the old expiry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Renew_extends_the_lease()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        Assert.That(await RenewAsync(First, T0.AddSeconds(20)).ConfigureAwait(false), Is.True);

        Assert.That(await AcquireAsync(Second, T0 + Duration + TimeSpan.FromSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await AcquireAsync(Second, T0.AddSeconds(20) + Duration).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: The holder renews a lease that ran out as long as nobody took it over.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Renew_succeeds_after_the_lease_ran_out_when_nobody_took_it_over()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        Assert.That(await RenewAsync(First, T0.AddSeconds(45)).ConfigureAwait(false), Is.True);

        Assert.That(await AcquireAsync(Second, T0.AddSeconds(50)).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: Renew by a holder that does not hold the lease fails and leaves the lease as it was.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Renew_by_another_holder_fails_and_leaves_the_lease()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        Assert.That(await RenewAsync(Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);

        Assert.That(await AcquireAsync(Second, T0.AddSeconds(2)).ConfigureAwait(false), Is.False);
        Assert.That(await AcquireAsync(Second, T0 + Duration).ConfigureAwait(false), Is.True, "The failed renewal did not extend the lease.");
    }

    /// <summary>Contract: Renew fails when nobody holds the lease, and takes none.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Renew_fails_when_nobody_holds_the_lease()
    {
        Assert.That(await RenewAsync(First, T0).ConfigureAwait(false), Is.False);

        Assert.That(await AcquireAsync(Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Release lets another holder acquire the lease at once, and the released holder renew it no more.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Release_lets_another_holder_acquire_at_once()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        await ReleaseAsync(First).ConfigureAwait(false);

        Assert.That(await RenewAsync(First, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await AcquireAsync(Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Release by a holder that does not hold the lease does nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Release_by_another_holder_does_nothing()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);

        await ReleaseAsync(Second).ConfigureAwait(false);

        Assert.That(await AcquireAsync(Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await RenewAsync(First, T0.AddSeconds(2)).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Release of a lease nobody holds does nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Release_when_nobody_holds_the_lease_does_nothing()
    {
        await ReleaseAsync(First).ConfigureAwait(false);

        Assert.That(await AcquireAsync(Second, T0).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Times compare as instants, whatever their offset, to the tick.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Times_compare_as_instants_to_the_tick_whatever_their_offset()
    {
        DateTimeOffset taken = T0.AddTicks(1_234_567);
        await AcquireAsync(First, taken).ConfigureAwait(false);
        DateTimeOffset expiry = (taken + Duration).ToOffset(TimeSpan.FromHours(-5));

        Assert.That(await AcquireAsync(Second, expiry.AddTicks(-1)).ConfigureAwait(false), Is.False);
        Assert.That(await AcquireAsync(Second, expiry).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Acquire and renew refuse an empty scope, image or holder, and a duration that is not positive.</summary>
    /// <param name="operation">The operation called.</param>
    /// <param name="scopeKey">The scope key given.</param>
    /// <param name="imageId">The image id given.</param>
    /// <param name="holder">The holder given.</param>
    /// <param name="seconds">The duration given, in seconds.</param>
    /// <param name="expected">The exception expected.</param>
    /// <returns>A task that completes when the test has run.</returns>
    [TestCase("Acquire", "", Image, First, 30, typeof(ArgumentException))]
    [TestCase("Acquire", Scope, "", First, 30, typeof(ArgumentException))]
    [TestCase("Acquire", Scope, Image, "", 30, typeof(ArgumentException))]
    [TestCase("Acquire", Scope, Image, First, 0, typeof(ArgumentOutOfRangeException))]
    [TestCase("Acquire", Scope, Image, First, -1, typeof(ArgumentOutOfRangeException))]
    [TestCase("Renew", "", Image, First, 30, typeof(ArgumentException))]
    [TestCase("Renew", Scope, "", First, 30, typeof(ArgumentException))]
    [TestCase("Renew", Scope, Image, "", 30, typeof(ArgumentException))]
    [TestCase("Renew", Scope, Image, First, 0, typeof(ArgumentOutOfRangeException))]
    [TestCase("Renew", Scope, Image, First, -1, typeof(ArgumentOutOfRangeException))]
    public async Task Acquire_and_renew_check_their_arguments(string operation, string scopeKey, string imageId, string holder, int seconds, Type expected)
    {
        var duration = TimeSpan.FromSeconds(seconds);
        Func<Task> call = operation == "Acquire"
            ? async () => await Coordination.TryAcquireFillLeaseAsync(scopeKey, imageId, holder, T0, duration, CancellationToken.None).ConfigureAwait(false)
            : async () => await Coordination.RenewFillLeaseAsync(scopeKey, imageId, holder, T0, duration, CancellationToken.None).ConfigureAwait(false);

        await Assert.ThatAsync(() => call(), Throws.InstanceOf(expected)).ConfigureAwait(false);
    }

    /// <summary>Contract: Release refuses an empty holder.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Release_checks_its_holder()
    {
        await Assert.ThatAsync(
            async () => await Coordination.ReleaseFillLeaseAsync(Scope, Image, string.Empty, CancellationToken.None).ConfigureAwait(false),
            Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
    }

    /// <summary>Contract: A cancelled acquire or renew throws and takes no lease.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_cancelled_acquire_or_renew_throws_and_takes_no_lease()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync().ConfigureAwait(false);

        await Assert.ThatAsync(
            async () => await Coordination.TryAcquireFillLeaseAsync(Scope, Image, First, T0, Duration, cancelled.Token).ConfigureAwait(false),
            Throws.InstanceOf<OperationCanceledException>()).ConfigureAwait(false);
        await Assert.ThatAsync(
            async () => await Coordination.RenewFillLeaseAsync(Scope, Image, First, T0, Duration, cancelled.Token).ConfigureAwait(false),
            Throws.InstanceOf<OperationCanceledException>()).ConfigureAwait(false);

        Assert.That(await AcquireAsync(Second, T0).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Of many holders acquiring one lease at once, exactly one gets it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Of_many_holders_acquiring_one_lease_at_once_exactly_one_gets_it()
    {
        using var start = new ManualResetEventSlim();
        Task<bool>[] acquires = Enumerable.Range(0, 16)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await AcquireAsync($"holder-{i}", T0).ConfigureAwait(false);
            }))
            .ToArray();

        start.Set();
        bool[] results = await Task.WhenAll(acquires).ConfigureAwait(false);

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        string winner = $"holder-{Array.IndexOf(results, true)}";
        Assert.That(await RenewAsync(winner, T0.AddSeconds(1)).ConfigureAwait(false), Is.True, "The winner holds the lease.");
    }

    /// <summary>Contract: A reservation on a held lease counts in its scope until the lease is released, and only there.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_reservation_counts_in_its_scope_until_the_lease_is_released()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);
        await AcquireAsync(Second, T0, imageId: "image-b").ConfigureAwait(false);
        await AcquireAsync(Second, T0, scopeKey: OtherScope).ConfigureAwait(false);

        Assert.That(await ReserveAsync(First, Image, "vol-a", 3).ConfigureAwait(false), Is.True);
        Assert.That(await ReserveAsync(Second, "image-b", "vol-b", 0).ConfigureAwait(false), Is.True);
        Assert.That(await Coordination.ReserveSpaceAsync(OtherScope, Image, Second, "vol-c", 5, CancellationToken.None).ConfigureAwait(false), Is.True);

        Assert.That(await ReservedAsync(T0.AddSeconds(1)).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(2, 3)));
        await ReleaseAsync(First).ConfigureAwait(false);
        Assert.That(await ReservedAsync(T0.AddSeconds(1)).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(1, 0)));
    }

    /// <summary>Contract: A lease without a reservation reserves nothing, and one that ran out counts no more.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_reservation_counts_only_while_its_lease_is_live()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);
        Assert.That(await ReservedAsync(T0).ConfigureAwait(false), Is.EqualTo(default(CacheScopeTotals)));

        await ReserveAsync(First, Image, "vol-a", 2).ConfigureAwait(false);

        Assert.That(await ReservedAsync(T0 + Duration - TimeSpan.FromTicks(1)).ConfigureAwait(false), Is.EqualTo(new CacheScopeTotals(1, 2)));
        Assert.That(await ReservedAsync(T0 + Duration).ConfigureAwait(false), Is.EqualTo(default(CacheScopeTotals)));
    }

    /// <summary>Contract: Only the holder of a lease reserves on it; a takeover starts without the old holder's reservation.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Only_the_holder_reserves_and_a_takeover_drops_the_old_reservation()
    {
        Assert.That(await ReserveAsync(First, Image, "vol-a", 1).ConfigureAwait(false), Is.False, "Nobody holds the lease.");
        await AcquireAsync(First, T0).ConfigureAwait(false);
        Assert.That(await ReserveAsync(Second, Image, "vol-b", 1).ConfigureAwait(false), Is.False);
        await ReserveAsync(First, Image, "vol-a", 1).ConfigureAwait(false);

        await AcquireAsync(Second, T0 + Duration).ConfigureAwait(false);

        Assert.That(await ReservedAsync(T0 + Duration).ConfigureAwait(false), Is.EqualTo(default(CacheScopeTotals)));
        Assert.That(await Coordination.IsVolumeInUseAsync("vol-a", T0 + Duration, CancellationToken.None).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: The volume a live lease fills is in use; once the lease is released or ran out it is not.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task The_volume_a_live_lease_fills_is_in_use()
    {
        await AcquireAsync(First, T0).ConfigureAwait(false);
        await ReserveAsync(First, Image, "vol-a", 1).ConfigureAwait(false);

        Assert.That(await InUseAsync("vol-a", T0.AddSeconds(29)).ConfigureAwait(false), Is.True);
        Assert.That(await InUseAsync("vol-other", T0.AddSeconds(29)).ConfigureAwait(false), Is.False);
        Assert.That(await InUseAsync("vol-a", T0 + Duration).ConfigureAwait(false), Is.False);

        await ReleaseAsync(First).ConfigureAwait(false);
        Assert.That(await InUseAsync("vol-a", T0).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: The scope lock has one holder at a time, is independent of the scope's fill leases, and is taken over once it ran out.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task The_scope_lock_has_one_holder_at_a_time()
    {
        Assert.That(await LockScopeAsync(First, T0).ConfigureAwait(false), Is.True);
        Assert.That(await AcquireAsync(Second, T0).ConfigureAwait(false), Is.True, "A fill lease is not the scope lock.");

        Assert.That(await LockScopeAsync(Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await Coordination.TryAcquireScopeLockAsync(OtherScope, Second, T0, Duration, CancellationToken.None).ConfigureAwait(false), Is.True);
        Assert.That(await LockScopeAsync(First, T0.AddSeconds(2)).ConfigureAwait(false), Is.True, "The holder takes it again.");
        Assert.That(await LockScopeAsync(Second, T0.AddSeconds(2) + Duration).ConfigureAwait(false), Is.True, "Taken over once it ran out.");
    }

    /// <summary>Contract: Releasing the scope lock lets another holder take it at once; a release by another holder does nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Releasing_the_scope_lock_lets_another_holder_take_it()
    {
        await LockScopeAsync(First, T0).ConfigureAwait(false);

        await Coordination.ReleaseScopeLockAsync(Scope, Second, CancellationToken.None).ConfigureAwait(false);
        Assert.That(await LockScopeAsync(Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);

        await Coordination.ReleaseScopeLockAsync(Scope, First, CancellationToken.None).ConfigureAwait(false);
        Assert.That(await LockScopeAsync(Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: A pinned entry cannot be removed by any holder until every pin is released.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_pinned_entry_cannot_be_removed_until_every_pin_is_released()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        Assert.That(await PinAsync(entry, "pin-1", T0).ConfigureAwait(false), Is.True);
        Assert.That(await PinAsync(entry, "pin-2", T0).ConfigureAwait(false), Is.True);

        Assert.That(await BeginRemovalAsync(entry, First, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await UnpinAsync(entry, "pin-1", T0.AddSeconds(2)).ConfigureAwait(false), Is.False);
        Assert.That(await BeginRemovalAsync(entry, Second, T0.AddSeconds(2)).ConfigureAwait(false), Is.False);
        await UnpinAsync(entry, "pin-2", T0.AddSeconds(3)).ConfigureAwait(false);

        Assert.That(await BeginRemovalAsync(entry, First, T0.AddSeconds(3)).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: An entry being removed takes no pin, and one removal at a time; once the removal ends, pins are taken again.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task An_entry_being_removed_takes_no_pin_and_no_second_removal()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        Assert.That(await BeginRemovalAsync(entry, First, T0).ConfigureAwait(false), Is.True);

        Assert.That(await PinAsync(entry, "pin-1", T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await BeginRemovalAsync(entry, Second, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);

        await Coordination.EndRemovalAsync(entry, Second, CancellationToken.None).ConfigureAwait(false);
        Assert.That(await PinAsync(entry, "pin-1", T0.AddSeconds(2)).ConfigureAwait(false), Is.False, "Only the remover ends its mark.");
        await Coordination.EndRemovalAsync(entry, First, CancellationToken.None).ConfigureAwait(false);
        Assert.That(await PinAsync(entry, "pin-1", T0.AddSeconds(2)).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: Pins and removal marks run out: an expired pin does not stop a removal, an expired mark does not stop a pin.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Pins_and_removal_marks_run_out()
    {
        long pinned = await EntryAsync("image-a").ConfigureAwait(false);
        long removing = await EntryAsync("image-b").ConfigureAwait(false);
        await PinAsync(pinned, "pin-1", T0).ConfigureAwait(false);
        await BeginRemovalAsync(removing, First, T0).ConfigureAwait(false);

        Assert.That(await BeginRemovalAsync(pinned, Second, T0 + Duration - TimeSpan.FromTicks(1)).ConfigureAwait(false), Is.False);
        Assert.That(await BeginRemovalAsync(pinned, Second, T0 + Duration).ConfigureAwait(false), Is.True);
        Assert.That(await PinAsync(removing, "pin-2", T0 + Duration - TimeSpan.FromTicks(1)).ConfigureAwait(false), Is.False);
        Assert.That(await PinAsync(removing, "pin-2", T0 + Duration).ConfigureAwait(false), Is.True);
    }

    /// <summary>Contract: A renewed pin keeps the entry from removal past its first expiry; a released pin cannot be renewed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_renewed_pin_keeps_the_entry_past_its_first_expiry()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        await PinAsync(entry, "pin-1", T0).ConfigureAwait(false);

        Assert.That(await Coordination.RenewPinAsync(entry, "pin-1", T0.AddSeconds(20), Duration, CancellationToken.None).ConfigureAwait(false), Is.True);
        Assert.That(await BeginRemovalAsync(entry, First, T0 + Duration).ConfigureAwait(false), Is.False);

        await UnpinAsync(entry, "pin-1", T0.AddSeconds(31)).ConfigureAwait(false);
        Assert.That(await Coordination.RenewPinAsync(entry, "pin-1", T0.AddSeconds(32), Duration, CancellationToken.None).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: Pins are counted per pin id across clients: two clients' pins on one entry are two pins.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Pins_of_two_clients_on_one_entry_are_counted_apart()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        await PinAsync(entry, $"{First}/1", T0).ConfigureAwait(false);
        await PinAsync(entry, $"{Second}/1", T0).ConfigureAwait(false);

        await UnpinAsync(entry, $"{First}/1", T0.AddSeconds(1)).ConfigureAwait(false);

        Assert.That(await BeginRemovalAsync(entry, First, T0.AddSeconds(1)).ConfigureAwait(false), Is.False, "The second client's pin holds.");
    }

    /// <summary>Contract: Only a pinned entry is retired, once; it takes no pin and no removal, and the last release says to delete its volume.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_retired_entry_is_deleted_by_the_release_of_its_last_pin()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        Assert.That(await RetireAsync(entry, T0).ConfigureAwait(false), Is.False, "Not pinned: evict it instead.");
        await PinAsync(entry, "pin-1", T0).ConfigureAwait(false);
        await PinAsync(entry, "pin-2", T0).ConfigureAwait(false);

        Assert.That(await RetireAsync(entry, T0.AddSeconds(1)).ConfigureAwait(false), Is.True);
        Assert.That(await RetireAsync(entry, T0.AddSeconds(1)).ConfigureAwait(false), Is.False, "Retired once.");
        Assert.That(await PinAsync(entry, "pin-3", T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await BeginRemovalAsync(entry, First, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
        Assert.That(await InUseAsync("vol-retired", T0.AddSeconds(1)).ConfigureAwait(false), Is.True);

        Assert.That(await UnpinAsync(entry, "pin-1", T0.AddSeconds(2)).ConfigureAwait(false), Is.False);
        Assert.That(await UnpinAsync(entry, "pin-2", T0.AddSeconds(3)).ConfigureAwait(false), Is.True);
        Assert.That(await UnpinAsync(entry, "pin-2", T0.AddSeconds(4)).ConfigureAwait(false), Is.False, "Said once.");
        Assert.That(await InUseAsync("vol-retired", T0.AddSeconds(4)).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: A retired entry whose pins all ran out is no longer in use, so reconciliation may delete its volume.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_retired_entry_whose_pins_ran_out_is_not_in_use()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        await PinAsync(entry, "pin-1", T0).ConfigureAwait(false);
        await RetireAsync(entry, T0).ConfigureAwait(false);

        Assert.That(await InUseAsync("vol-retired", T0 + Duration - TimeSpan.FromTicks(1)).ConfigureAwait(false), Is.True);
        Assert.That(await InUseAsync("vol-retired", T0 + Duration).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: An entry being removed cannot be retired.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task An_entry_being_removed_cannot_be_retired()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        await PinAsync(entry, "pin-1", T0).ConfigureAwait(false);
        await UnpinAsync(entry, "pin-1", T0).ConfigureAwait(false);
        await BeginRemovalAsync(entry, First, T0).ConfigureAwait(false);
        await PinAsync(entry, "pin-2", T0).ConfigureAwait(false);

        Assert.That(await RetireAsync(entry, T0.AddSeconds(1)).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: A store that holds the entries pins only an entry it stores.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_store_pins_only_an_entry_it_stores()
    {
        if (Coordination is not ICacheEntryStore store)
        {
            Assert.Ignore("The coordination under test holds no entries.");
            return;
        }

        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        Assert.That(await store.RemoveAsync(entry, CancellationToken.None).ConfigureAwait(false), Is.True);

        Assert.That(await PinAsync(entry, "pin-1", T0).ConfigureAwait(false), Is.False);
        Assert.That(await PinAsync(entry + 1_000_000, "pin-2", T0).ConfigureAwait(false), Is.False);
    }

    /// <summary>Contract: Of a removal and many pins racing for one entry, either the removal wins and no pin is taken, or the removal fails.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task A_removal_racing_pins_never_succeeds_beside_a_pin()
    {
        for (int round = 0; round < 20; round++)
        {
            long entry = await EntryAsync($"image-{round}").ConfigureAwait(false);
            using var start = new ManualResetEventSlim();
            Task<bool>[] pins = Enumerable.Range(0, 8)
                .Select(i => Task.Run(async () =>
                {
                    start.Wait();
                    return await PinAsync(entry, $"pin-{i}", T0).ConfigureAwait(false);
                }))
                .ToArray();
            Task<bool> removal = Task.Run(async () =>
            {
                start.Wait();
                return await BeginRemovalAsync(entry, First, T0).ConfigureAwait(false);
            });

            start.Set();
            bool[] pinned = await Task.WhenAll(pins).ConfigureAwait(false);
            bool removed = await removal.ConfigureAwait(false);

            Assert.That(removed && pinned.Any(p => p), Is.False, $"Round {round}: a removal began beside a pin.");
            Assert.That(removed || pinned.Any(p => p), Is.True, $"Round {round}: nobody won.");
        }
    }

    /// <summary>Contract: Of many releases of the last pins of a retired entry at once, exactly one says to delete its volume.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Of_many_last_releases_of_a_retired_entry_exactly_one_deletes_it()
    {
        long entry = await EntryAsync("image-a").ConfigureAwait(false);
        for (int i = 0; i < 8; i++)
        {
            await PinAsync(entry, $"pin-{i}", T0).ConfigureAwait(false);
        }

        await RetireAsync(entry, T0).ConfigureAwait(false);
        using var start = new ManualResetEventSlim();
        Task<bool>[] releases = Enumerable.Range(0, 8)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await UnpinAsync(entry, $"pin-{i}", T0.AddSeconds(1)).ConfigureAwait(false);
            }))
            .ToArray();

        start.Set();
        bool[] results = await Task.WhenAll(releases).ConfigureAwait(false);

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }

    /// <summary>Contract: The new calls refuse empty ids and a duration that is not positive.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Test]
    public async Task Reservations_pins_and_marks_check_their_arguments()
    {
        CancellationToken none = CancellationToken.None;
        await Assert.ThatAsync(async () => await Coordination.ReserveSpaceAsync(Scope, Image, First, string.Empty, 1, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.ReserveSpaceAsync(Scope, Image, First, "vol-a", -1, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentOutOfRangeException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.GetReservedSpaceAsync(string.Empty, T0, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.IsVolumeInUseAsync(string.Empty, T0, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.TryAcquireScopeLockAsync(Scope, string.Empty, T0, Duration, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.TryAcquireScopeLockAsync(Scope, First, T0, TimeSpan.Zero, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentOutOfRangeException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.TryPinEntryAsync(1, string.Empty, T0, Duration, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.TryPinEntryAsync(1, "pin-1", T0, TimeSpan.Zero, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentOutOfRangeException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.TryBeginRemovalAsync(1, string.Empty, T0, Duration, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.TryBeginRemovalAsync(1, First, T0, TimeSpan.FromTicks(-1), none).ConfigureAwait(false), Throws.InstanceOf<ArgumentOutOfRangeException>()).ConfigureAwait(false);
        await Assert.ThatAsync(async () => await Coordination.TryRetireEntryAsync(1, string.Empty, T0, none).ConfigureAwait(false), Throws.InstanceOf<ArgumentException>()).ConfigureAwait(false);
    }

    /// <summary>Takes the lease of (scope, image) for <see cref="Duration"/>.</summary>
    /// <param name="holder">The holder.</param>
    /// <param name="now">The time of the call.</param>
    /// <param name="scopeKey">The scope; by default <see cref="Scope"/>.</param>
    /// <param name="imageId">The image; by default <see cref="Image"/>.</param>
    /// <returns>Whether the holder holds the lease now.</returns>
    protected async Task<bool> AcquireAsync(string holder, DateTimeOffset now, string scopeKey = Scope, string imageId = Image) =>
        await Coordination.TryAcquireFillLeaseAsync(scopeKey, imageId, holder, now, Duration, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Renews the lease of (<see cref="Scope"/>, <see cref="Image"/>) for <see cref="Duration"/>.</summary>
    /// <param name="holder">The holder.</param>
    /// <param name="now">The time of the call.</param>
    /// <returns>Whether the holder still holds the lease.</returns>
    protected async Task<bool> RenewAsync(string holder, DateTimeOffset now) =>
        await Coordination.RenewFillLeaseAsync(Scope, Image, holder, now, Duration, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Releases the lease of (<see cref="Scope"/>, <see cref="Image"/>).</summary>
    /// <param name="holder">The holder.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    protected async Task ReleaseAsync(string holder) =>
        await Coordination.ReleaseFillLeaseAsync(Scope, Image, holder, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Records a reservation on the lease of (<see cref="Scope"/>, <paramref name="imageId"/>).</summary>
    /// <param name="holder">The holder.</param>
    /// <param name="imageId">The image.</param>
    /// <param name="volumeId">The volume filled.</param>
    /// <param name="sizeGb">The room.</param>
    /// <returns>Whether it was recorded.</returns>
    protected async Task<bool> ReserveAsync(string holder, string imageId, string volumeId, int sizeGb) =>
        await Coordination.ReserveSpaceAsync(Scope, imageId, holder, volumeId, sizeGb, CancellationToken.None).ConfigureAwait(false);

    /// <summary>The room reserved in <see cref="Scope"/>.</summary>
    /// <param name="now">The time of the call.</param>
    /// <returns>The totals.</returns>
    protected async Task<CacheScopeTotals> ReservedAsync(DateTimeOffset now) =>
        await Coordination.GetReservedSpaceAsync(Scope, now, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Whether a volume is in use.</summary>
    /// <param name="volumeId">The volume.</param>
    /// <param name="now">The time of the call.</param>
    /// <returns>Whether it is in use.</returns>
    protected async Task<bool> InUseAsync(string volumeId, DateTimeOffset now) =>
        await Coordination.IsVolumeInUseAsync(volumeId, now, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Takes the lock of <see cref="Scope"/> for <see cref="Duration"/>.</summary>
    /// <param name="holder">The holder.</param>
    /// <param name="now">The time of the call.</param>
    /// <returns>Whether the holder holds it.</returns>
    protected async Task<bool> LockScopeAsync(string holder, DateTimeOffset now) =>
        await Coordination.TryAcquireScopeLockAsync(Scope, holder, now, Duration, CancellationToken.None).ConfigureAwait(false);

    /// <summary>
    /// An entry id to pin: when the coordination is a store, an entry it stores (in <see cref="Scope"/>); otherwise a new id.
    /// </summary>
    /// <param name="imageId">The entry's image.</param>
    /// <returns>The entry id.</returns>
    protected async Task<long> EntryAsync(string imageId)
    {
        if (Coordination is not ICacheEntryStore store)
        {
            return Interlocked.Increment(ref _nextEntryId);
        }

        var entry = new ImageCacheEntry(0, Scope, Scope, null, imageId, T0, $"vol-{imageId}", 1, T0, T0);
        ImageCacheEntry? stored = await store.TryAddAsync(entry, CancellationToken.None).ConfigureAwait(false);
        Assert.That(stored, Is.Not.Null, "The store must take a new entry.");
        return stored!.Id;
    }

    /// <summary>Pins an entry for <see cref="Duration"/>.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="pin">The pin id.</param>
    /// <param name="now">The time of the call.</param>
    /// <returns>Whether it is pinned.</returns>
    protected async Task<bool> PinAsync(long entryId, string pin, DateTimeOffset now) =>
        await Coordination.TryPinEntryAsync(entryId, pin, now, Duration, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Releases a pin.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="pin">The pin id.</param>
    /// <param name="now">The time of the call.</param>
    /// <returns>Whether the caller deletes the retired entry's volume.</returns>
    protected async Task<bool> UnpinAsync(long entryId, string pin, DateTimeOffset now) =>
        await Coordination.ReleasePinAsync(entryId, pin, now, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Marks an entry as being removed for <see cref="Duration"/>.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="holder">The remover.</param>
    /// <param name="now">The time of the call.</param>
    /// <returns>Whether the holder may remove it.</returns>
    protected async Task<bool> BeginRemovalAsync(long entryId, string holder, DateTimeOffset now) =>
        await Coordination.TryBeginRemovalAsync(entryId, holder, now, Duration, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Retires an entry whose volume is <c>vol-retired</c>.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="now">The time of the call.</param>
    /// <returns>Whether this call retired it.</returns>
    protected async Task<bool> RetireAsync(long entryId, DateTimeOffset now) =>
        await Coordination.TryRetireEntryAsync(entryId, "vol-retired", now, CancellationToken.None).ConfigureAwait(false);
}
