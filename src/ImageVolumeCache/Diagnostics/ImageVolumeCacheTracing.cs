using System.Diagnostics;
using System.Reflection;

namespace ImageVolumeCache.Diagnostics;

/// <summary>
/// The library's <see cref="ActivitySource"/> and the tags and events of its one activity, a pipeline run. Every method
/// but <see cref="StartCreateFromImage"/> takes the activity it returned, so nothing is done when nobody listens.
/// </summary>
internal static class ImageVolumeCacheTracing
{
    public const string BackendTag = "imagevolumecache.backend";
    public const string HostTag = "imagevolumecache.host";
    public const string ScopeTag = "imagevolumecache.scope";
    public const string ImageIdTag = "imagevolumecache.image_id";
    public const string VolumeIdTag = "imagevolumecache.volume_id";
    public const string PathTag = "imagevolumecache.path";
    public const string StepDurationTag = "imagevolumecache.step.duration";
    public const string ErrorTypeTag = "error.type";

    public static ActivitySource Source { get; } = new(
        ImageVolumeCacheDiagnostics.ActivitySourceName,
        typeof(ImageVolumeCacheTracing).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>Starts the activity of one pipeline run; <see langword="null"/> (at the cost of one check) when nobody listens.</summary>
    public static Activity? StartCreateFromImage(CreateVolumeFromImageRequest request, string backend)
    {
        Activity? activity = Source.StartActivity(ImageVolumeCacheDiagnostics.CreateFromImageActivity, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            VolumeSpec volume = request.Volume;
            activity.SetTag(BackendTag, backend);
            activity.SetTag(HostTag, volume.Host);
            activity.SetTag(ScopeTag, volume.Scope.Key);
            activity.SetTag(ImageIdTag, request.ImageId);
            activity.SetTag(VolumeIdTag, volume.Id);
        }

        return activity;
    }

    /// <summary>Adds one event per finished step, named after the step, with its duration in seconds.</summary>
    public static void StepFinished(Activity activity, PipelineStep step, TimeSpan duration)
    {
        if (activity.IsAllDataRequested)
        {
            activity.AddEvent(new ActivityEvent(StepName(step), tags: new ActivityTagsCollection { [StepDurationTag] = duration.TotalSeconds }));
        }
    }

    public static void Completed(Activity activity, CreateFromImagePath path)
    {
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(PathTag, ImageVolumeCacheMetrics.PathTag(path));
        }
    }

    /// <summary>
    /// Marks the activity failed: status <see cref="ActivityStatusCode.Error"/> with the exception type, the
    /// <c>error.type</c> tag and an <c>exception</c> event.
    /// </summary>
    public static void Failed(Activity activity, Exception exception)
    {
        string type = exception.GetType().FullName ?? exception.GetType().Name;
        activity.SetStatus(ActivityStatusCode.Error, type);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ErrorTypeTag, type);
            activity.AddException(exception);
        }
    }

    /// <summary>The event name of a step, in the form of the <c>path</c> tag values.</summary>
    public static string StepName(PipelineStep step) => step switch
    {
        PipelineStep.DescribeImage => "describe_image",
        PipelineStep.DirectClone => "direct_clone",
        PipelineStep.ImageVolumeClone => "image_volume_clone",
        PipelineStep.CacheLookup => "cache_lookup",
        PipelineStep.EnsureSpace => "ensure_space",
        PipelineStep.CreateCacheEntry => "create_cache_entry",
        PipelineStep.CloneFromCache => "clone_from_cache",
        PipelineStep.Extend => "extend",
        PipelineStep.Download => "download",
        PipelineStep.CacheFillWait => "cache_fill_wait",
        PipelineStep.DownloadToScratch => "download_to_scratch",
        PipelineStep.Convert => "convert",
        _ => "unknown",
    };
}
