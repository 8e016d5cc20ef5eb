using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>
/// The contract every <see cref="ICacheCoordination"/> keeps, written once and run against each store that coordinates
/// by a one-line subclass (in-memory, SQLite, PostgreSQL, and any store a host writes): one holder per (scope, image) at a
/// time, extension by the holder, takeover once a lease ran out, renewal and release by the holder only, argument checks,
/// and one winner when many holders race for one lease.
/// </summary>
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
}
