using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Caching;

/// <summary>Statistics per scope: the store's entries against the limits, and this process's hits, misses, evictions, fills and fill errors.</summary>
public sealed class StatisticsTests
{
    [Test]
    public async Task Hits_misses_evictions_and_the_hit_ratio_are_counted_per_scope_beside_its_entries_and_limits()
    {
        using var harness = new CacheHarness(options => options.Defaults.MaxCount = 1);
        harness.AddImage("img-a");
        harness.AddImage("img-b");
        await harness.CreateAsync("img-a");
        await harness.CreateAsync("img-a");
        await harness.CreateAsync("img-a");
        await harness.CreateAsync("img-b"); // evicts img-a for room

        ImageVolumeCacheStatistics statistics = await harness.Cache.GetStatisticsAsync(CancellationToken.None);

        CacheScopeStatistics scope = statistics.Scopes.Single();
        Assert.That((scope.Backend, scope.ScopeKey), Is.EqualTo((CacheHarness.Backend, CacheHarness.Backend)));
        Assert.That((scope.Entries, scope.SizeGb, scope.MaxCount, scope.MaxSizeGb, scope.Enabled), Is.EqualTo((1, 1L, 1, 0, true)));
        Assert.That((scope.Hits, scope.Misses, scope.HitRatio), Is.EqualTo((2L, 2L, (double?)0.5)));
        Assert.That(scope.Evictions, Is.EquivalentTo(new Dictionary<string, long> { ["space"] = 1 }));
        Assert.That((scope.FillsInProgress, scope.LastFillError, scope.OverLimits), Is.EqualTo((0, (CacheFillError?)null, false)));
        Assert.That(statistics.CollectedAt, Is.EqualTo(harness.Time.GetUtcNow()));
    }

    [Test]
    public async Task A_fill_in_progress_is_counted_and_a_failed_fill_is_kept_as_the_last_fill_error()
    {
        using var harness = new CacheHarness();
        harness.AddImage("img");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Images.StreamFactory = (_, _) => new FailingStream(gate.Task, new IOException("connection reset"));

        Task<CreateVolumeFromImageResult> request = harness.CreateAsync("img").AsTask();
        int inProgress = 0;
        for (int look = 0; look < 1000 && inProgress == 0; look++)
        {
            await Task.Delay(10);
            inProgress = (await harness.Cache.GetStatisticsAsync(CancellationToken.None)).Scopes.SingleOrDefault()?.FillsInProgress ?? 0;
        }

        Assert.That(inProgress, Is.EqualTo(1), "the fill is counted while it runs");
        gate.SetResult();
        Assert.That(async () => await request, Throws.InstanceOf<IOException>());

        CacheScopeStatistics scope = (await harness.Cache.GetStatisticsAsync(CancellationToken.None)).Scopes.Single();
        Assert.That(scope.FillsInProgress, Is.Zero);
        Assert.That(scope.LastFillError, Is.Not.Null);
        Assert.That((scope.LastFillError!.ImageId, scope.LastFillError.At), Is.EqualTo(("img", harness.Time.GetUtcNow())));
        Assert.That(scope.LastFillError.Error, Does.Contain("IOException").And.Contain("connection reset"));
    }

    [Test]
    public async Task Entries_are_listed_most_recently_used_first_a_page_at_a_time()
    {
        using var harness = new CacheHarness();
        foreach (string image in new[] { "img-1", "img-2", "img-3" })
        {
            harness.AddImage(image);
            await harness.CreateAsync(image);
            harness.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await harness.CreateAsync("img-1"); // a hit makes img-1 the most recently used

        IReadOnlyList<ImageCacheEntry> first = await harness.Cache.ListByLastUseAsync(null, 0, 2, CancellationToken.None);
        IReadOnlyList<ImageCacheEntry> second = await harness.Cache.ListByLastUseAsync(CacheHarness.Backend, 2, 2, CancellationToken.None);

        Assert.That(first.Select(e => e.ImageId), Is.EqualTo(new[] { "img-1", "img-3" }));
        Assert.That(second.Select(e => e.ImageId), Is.EqualTo(new[] { "img-2" }));
        Assert.That(async () => await harness.Cache.ListByLastUseAsync(null, -1, 2, CancellationToken.None), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(async () => await harness.Cache.ListByLastUseAsync(null, 0, 0, CancellationToken.None), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task A_scope_over_a_lowered_limit_says_so()
    {
        using var harness = new CacheHarness();
        await harness.CacheImagesAsync("img-1", "img-2");
        harness.CurrentOptions.Defaults.MaxCount = 1;

        CacheScopeStatistics scope = (await harness.Cache.GetStatisticsAsync(CancellationToken.None)).Scopes.Single();

        Assert.That((scope.Entries, scope.MaxCount, scope.OverLimits), Is.EqualTo((2, 1, true)));
    }
}
