using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Moq;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>A notifier that throws is logged and never fails an operation.</summary>
public sealed class NotifierFailureTests
{
    private const int NotifierFailedEventId = 1012;

    [TestCase(true, TestName = "Throwing_notifier_does_not_fail_a_cache_miss_when_it_throws_synchronously")]
    [TestCase(false, TestName = "Throwing_notifier_does_not_fail_a_cache_miss_when_it_returns_a_faulted_task")]
    public async Task Throwing_notifier_does_not_fail_a_cache_miss(bool synchronously)
    {
        using var harness = new CacheHarness(notifier: ThrowingNotifier(synchronously));
        harness.AddImage("image-a");

        CreateVolumeFromImageResult result = await harness.CreateAsync("image-a");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissCreated));
        Assert.That(harness.Driver.Exists(result.Volume.Id), Is.True);
    }

    [Test]
    public async Task Throwing_notifier_does_not_fail_a_cache_hit()
    {
        using var harness = new CacheHarness(notifier: ThrowingNotifier(synchronously: true));
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");

        CreateVolumeFromImageResult result = await harness.CreateAsync("image-a");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(harness.Driver.Exists(result.Volume.Id), Is.True);
    }

    [Test]
    public async Task Throwing_notifier_is_logged_as_a_warning_with_event_id_1012()
    {
        using var harness = new CacheHarness(notifier: ThrowingNotifier(synchronously: true));
        harness.AddImage("image-a");

        await harness.CreateAsync("image-a");

        IReadOnlyList<FakeLogRecord> failures = harness.Logs(NotifierFailedEventId);
        Assert.That(failures, Is.Not.Empty);
        Assert.That(failures, Has.All.Matches<FakeLogRecord>(
            r => r.Level == LogLevel.Warning && r.Exception is InvalidOperationException && r.Message.Contains("image-a", StringComparison.Ordinal)));
    }

    [Test]
    public async Task Throwing_notifier_does_not_stop_an_eviction()
    {
        using var harness = new CacheHarness(notifier: ThrowingNotifier(synchronously: true));
        harness.AddImage("image-a");
        CreateVolumeFromImageResult made = await harness.CreateAsync("image-a");

        bool evicted = await harness.Cache.EvictAsync(made.CacheEntry!, CancellationToken.None);

        Assert.That(evicted, Is.True);
        Assert.That(await harness.Cache.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    private static IImageVolumeCacheNotifier ThrowingNotifier(bool synchronously)
    {
        var notifier = new Mock<IImageVolumeCacheNotifier>(MockBehavior.Strict);
        var setup = notifier.Setup(n => n.NotifyAsync(It.IsAny<ImageVolumeCacheNotification>(), It.IsAny<CancellationToken>()));
        if (synchronously)
        {
            setup.Throws(new InvalidOperationException("The notification bus is down."));
        }
        else
        {
            setup.Returns(() => ValueTask.FromException(new InvalidOperationException("The notification bus is down.")));
        }

        return notifier.Object;
    }
}
