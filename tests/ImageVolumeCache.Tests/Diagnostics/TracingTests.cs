using System.Diagnostics;
using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>The pipeline's activity: one per request when someone listens, with its tags, step events and status.</summary>
public sealed class TracingTests
{
    [Test]
    public async Task Miss_then_hit_trace_two_activities_tagged_with_their_paths()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        using var recorder = new ActivityRecorder();

        CreateVolumeFromImageResult miss = await harness.CreateAsync("image-a", volumeId: "vol-1");
        CreateVolumeFromImageResult hit = await harness.CreateAsync("image-a", volumeId: "vol-2");

        Assert.That(
            recorder.Stopped.Select(a => (a.OperationName, a.Kind, a.GetTagItem("imagevolumecache.volume_id"), a.GetTagItem("imagevolumecache.path"))),
            Is.EqualTo(new[]
            {
                (ImageVolumeCacheDiagnostics.CreateFromImageActivity, ActivityKind.Internal, (object?)"vol-1", (object?)"cache_miss_created"),
                (ImageVolumeCacheDiagnostics.CreateFromImageActivity, ActivityKind.Internal, (object?)"vol-2", (object?)"cache_hit"),
            }));
    }

    [Test]
    public async Task Activity_is_tagged_with_the_backend_host_scope_and_image()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        using var recorder = new ActivityRecorder();

        await harness.CreateAsync("image-a", host: CacheHarness.Backend + "#pool-a", cluster: "cluster-1");

        Activity activity = recorder.Stopped.Single();
        Assert.That(
            new[] { "backend", "host", "scope", "image_id" }.Select(tag => activity.GetTagItem("imagevolumecache." + tag)),
            Is.EqualTo(new object?[] { CacheHarness.Backend, CacheHarness.Backend + "#pool-a", "cluster-1", "image-a" }));
    }

    [Test]
    public async Task Each_step_is_an_event_with_its_duration()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        await harness.CreateAsync("image-a");
        using var recorder = new ActivityRecorder();

        CreateVolumeFromImageResult hit = await harness.CreateAsync("image-a");

        Activity activity = recorder.Stopped.Single();
        Assert.That(
            activity.Events.Select(e => (e.Name, e.Tags.Single(t => t.Key == "imagevolumecache.step.duration").Value)),
            Is.EqualTo(hit.Steps.Select(s => (ImageVolumeCacheTracing.StepName(s.Step), (object?)s.Duration.TotalSeconds))));
        Assert.That(activity.Events.Select(e => e.Name), Is.EqualTo(new[] { "describe_image", "direct_clone", "cache_lookup", "clone_from_cache" }));
    }

    [Test]
    public void Failed_request_ends_its_activity_with_error_status_and_the_exception_type()
    {
        using var harness = new CacheHarness();
        using var recorder = new ActivityRecorder();

        Assert.ThrowsAsync<ImageNotFoundException>(async () => await harness.CreateAsync("no-such-image"));

        Activity activity = recorder.Stopped.Single();
        Assert.That(
            (activity.Status, activity.StatusDescription, activity.GetTagItem("error.type"), activity.Events.Single().Name),
            Is.EqualTo((ActivityStatusCode.Error, typeof(ImageNotFoundException).FullName, (object?)typeof(ImageNotFoundException).FullName, "exception")));
    }

    [Test]
    public async Task No_activity_is_made_when_the_listener_samples_none()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");
        using var recorder = new ActivityRecorder(ActivitySamplingResult.None);

        CreateVolumeFromImageResult made = await harness.CreateAsync("image-a");

        Assert.That((made.Path, recorder.Started.Count, Activity.Current), Is.EqualTo((CreateFromImagePath.CacheMissCreated, 0, (Activity?)null)));
    }

    [Test]
    public async Task Without_a_listener_the_source_has_none_and_requests_work()
    {
        using var harness = new CacheHarness();
        harness.AddImage("image-a");

        await harness.CreateAsync("image-a");
        CreateVolumeFromImageResult hit = await harness.CreateAsync("image-a");

        Assert.That((hit.Path, ImageVolumeCacheTracing.Source.HasListeners(), Activity.Current), Is.EqualTo((CreateFromImagePath.CacheHit, false, (Activity?)null)));
    }

    [Test]
    public void Source_is_named_for_hosts_to_subscribe_to()
    {
        Assert.That(ImageVolumeCacheTracing.Source.Name, Is.EqualTo(ImageVolumeCacheDiagnostics.ActivitySourceName));
    }

    /// <summary>Listens to the library's source with the given sampling and keeps the activities it sees.</summary>
    private sealed class ActivityRecorder : IDisposable
    {
        private readonly ActivityListener _listener;

        public ActivityRecorder(ActivitySamplingResult sampling = ActivitySamplingResult.AllDataAndRecorded)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == ImageVolumeCacheDiagnostics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
                ActivityStarted = Started.Add,
                ActivityStopped = Stopped.Add,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Activity> Started { get; } = [];

        public List<Activity> Stopped { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
