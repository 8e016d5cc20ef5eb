using ImageVolumeCache.PostgreSql.Tests.Support;
using static ImageVolumeCache.PostgreSql.Tests.Support.StoreEntries;

namespace ImageVolumeCache.PostgreSql.Tests.Storage;

/// <summary>
/// Pins, removals and retirements of one entry racing on two hosts (two stores, each with its own connection pool, over
/// one schema), many rounds each: under READ COMMITTED only the entry's advisory lock keeps each call from missing the
/// other's write.
/// </summary>
public sealed class PostgreSqlPinRaceTests
{
    private const int Rounds = 20;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    private PostgreSqlCacheEntryStore _host1 = null!;
    private PostgreSqlCacheEntryStore _host2 = null!;

    [SetUp]
    public void OpenTwoHostsOnOneSchema()
    {
        PostgreSqlCacheEntryStoreOptions options = PostgresServer.NewStoreOptions();
        _host1 = new PostgreSqlCacheEntryStore(options);
        _host2 = new PostgreSqlCacheEntryStore(options);
    }

    [TearDown]
    public async Task DropTheStores()
    {
        if (_host1 is not null)
        {
            await _host1.DisposeAsync();
            await _host2.DisposeAsync();
            await PostgresServer.DropSchemaAsync(_host1.Schema);
        }
    }

    [Test]
    public async Task A_removal_on_one_host_never_begins_beside_a_pin_taken_on_the_other()
    {
        for (int round = 0; round < Rounds; round++)
        {
            long entry = await AddAsync(round);

            (bool[] pinned, bool removed) = await RaceAsync(
                Enumerable.Range(0, 4).Select(i => (Func<Task<bool>>)(() => PinAsync(_host1, entry, $"pin-{i}"))),
                () => _host2.TryBeginRemovalAsync(entry, "remover", T0, Duration, CancellationToken.None).AsTask());

            Assert.That(removed && pinned.Any(p => p), Is.False, $"Round {round}: a removal began beside a pin.");
            Assert.That(removed || pinned.Any(p => p), Is.True, $"Round {round}: nobody won.");
        }
    }

    [Test]
    public async Task Of_the_last_releases_on_two_hosts_exactly_one_ends_a_retirement()
    {
        for (int round = 0; round < Rounds; round++)
        {
            long entry = await AddAsync(round);
            PostgreSqlCacheEntryStore[] hosts = [_host1, _host2, _host1, _host2];
            for (int i = 0; i < hosts.Length; i++)
            {
                await PinAsync(hosts[i], entry, $"pin-{i}");
            }

            Assert.That(await _host1.TryRetireEntryAsync(entry, $"volume-{round}", T0, CancellationToken.None), Is.True);

            (bool[] released, bool _) = await RaceAsync(
                hosts.Select((host, i) => (Func<Task<bool>>)(() => host.ReleasePinAsync(entry, $"pin-{i}", T0.AddSeconds(1), CancellationToken.None).AsTask())),
                () => Task.FromResult(false));

            Assert.That(released.Count(r => r), Is.EqualTo(1), $"Round {round}.");
        }
    }

    [Test]
    public async Task A_retirement_racing_the_release_of_the_last_pin_leaves_exactly_one_deleter_or_none_retired()
    {
        for (int round = 0; round < Rounds; round++)
        {
            long entry = await AddAsync(round);
            await PinAsync(_host1, entry, "pin-1");

            (bool[] released, bool retired) = await RaceAsync(
                [() => _host1.ReleasePinAsync(entry, "pin-1", T0.AddSeconds(1), CancellationToken.None).AsTask()],
                () => _host2.TryRetireEntryAsync(entry, $"volume-{round}", T0.AddSeconds(1), CancellationToken.None).AsTask());

            // Retired before the release: the release deletes the volume. Released first: nothing to retire.
            Assert.That(released[0], Is.EqualTo(retired), $"Round {round}: retired {retired}, the release said delete {released[0]}.");
        }
    }

    private async Task<long> AddAsync(int round) =>
        (await _host1.TryAddAsync(Entry($"image-{round}", $"volume-{round}"), CancellationToken.None))!.Id;

    private static async Task<bool> PinAsync(PostgreSqlCacheEntryStore host, long entry, string pin) =>
        await host.TryPinEntryAsync(entry, pin, T0, Duration, CancellationToken.None);

    /// <summary>Starts every call at once, on the thread pool, and returns the results of <paramref name="calls"/> and of <paramref name="other"/>.</summary>
    private static async Task<(bool[] Calls, bool Other)> RaceAsync(IEnumerable<Func<Task<bool>>> calls, Func<Task<bool>> other)
    {
        using var start = new ManualResetEventSlim();
        Task<bool>[] started = calls.Append(other)
            .Select(call => Task.Run(async () =>
            {
                start.Wait();
                return await call();
            }))
            .ToArray();
        start.Set();
        bool[] results = await Task.WhenAll(started);
        return (results[..^1], results[^1]);
    }
}
