using System.Collections.Concurrent;
using System.Diagnostics;
using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>Many concurrent requests, a small cache and random driver faults: the invariants and the limits still hold.</summary>
public sealed class StressTests
{
    private const int Workers = 32;
    private const int Requests = 4000;
    private const int Images = 50;
    private const int MaxCount = 5;
    private const int MaxSizeGb = 8;
    private const double FaultRate = 0.05;

    [Test]
    public async Task Thousands_of_concurrent_requests_with_driver_faults_keep_every_invariant_and_limit()
    {
        using var harness = new CacheHarness(o =>
        {
            o.Defaults.MaxCount = MaxCount;
            o.Defaults.MaxSizeGb = MaxSizeGb;
        });
        for (int i = 0; i < Images; i++)
        {
            harness.AddImage($"img-{i}", sizeBytes: 512, virtualSizeBytes: (1 + (i % 3)) * CacheHarness.GiB);
        }

        int seed = Environment.TickCount;
        var random = new Random(seed);
        var randomLock = new Lock();
        int directCloneFaults = 0;
        int faults = 0;
        Exception? Fault(DriverCall call)
        {
            lock (randomLock)
            {
                if (random.NextDouble() >= FaultRate)
                {
                    return null;
                }
            }

            Interlocked.Increment(ref faults);
            if (call.Operation == DriverOperation.TryCloneImage)
            {
                Interlocked.Increment(ref directCloneFaults);
            }

            return new IOException($"injected {call.Operation} fault");
        }

        harness.Driver.Fault = Fault;
        harness.OtherDriver.Fault = Fault;

        var returned = new ConcurrentBag<string>();
        int started = 0;
        int failed = 0;
        int unexpected = 0;
        var surprises = new ConcurrentBag<Exception>();
        var clock = Stopwatch.StartNew();
        async Task WorkAsync(int worker)
        {
            var pick = new Random(seed + worker);
            // Bounded: stop early on a slow machine rather than run long.
            while (Interlocked.Increment(ref started) <= Requests && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                string host = pick.Next(2) == 0 ? CacheHarness.Backend : CacheHarness.OtherBackend;
                try
                {
                    CreateVolumeFromImageResult result = await harness.Pipeline.CreateAsync(CacheHarness.Request($"img-{pick.Next(Images)}", sizeGb: 3, host: host));
                    returned.Add(result.Volume.Id);
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref failed);
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref unexpected);
                    surprises.Add(ex);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(w))));
        int made = returned.Count + failed + unexpected;

        var leaks = new List<string>();
        IReadOnlyList<string> violations = await BackendInvariants.ViolationsAsync(harness, [], returned, leaks.Add);
        IReadOnlyList<ImageCacheEntry> entries = await harness.Store.ListAsync(null, CancellationToken.None);
        int hits = harness.Notifications(ImageVolumeCacheEventTypes.Hit);
        int misses = harness.Notifications(ImageVolumeCacheEventTypes.Miss);
        int reachedCache = made - directCloneFaults;
        await TestContext.Out.WriteLineAsync(
            $"seed {seed}: {made} requests by {Workers} workers in {clock.Elapsed.TotalSeconds:F1} s, {returned.Count} succeeded, {failed} failed on {faults} injected faults; " +
            $"{hits} hits + {misses} misses for {reachedCache} requests that reached the cache; {harness.Images.DownloadCount} downloads; {entries.Count} entries; " +
            $"{leaks.Count} volumes left by failed deletions (logged)");

        Assert.That(made, Is.GreaterThan(500), "the run made enough requests to mean something");
        Assert.That(unexpected, Is.Zero, $"only the injected faults fail requests: {surprises.FirstOrDefault()}");
        Assert.That(violations, Is.Empty);
        foreach (IGrouping<string, ImageCacheEntry> scope in entries.GroupBy(e => e.ScopeKey))
        {
            Assert.That(scope.Count(), Is.LessThanOrEqualTo(MaxCount), scope.Key);
            Assert.That(scope.Sum(e => e.SizeGb), Is.LessThanOrEqualTo(MaxSizeGb), scope.Key);
        }

        Assert.That(hits + misses, Is.EqualTo(reachedCache));
    }
}
