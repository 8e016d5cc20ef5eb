using System.Diagnostics;
using ImageVolumeCache.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ImageVolumeCache.OpenTelemetry.Tests;

/// <summary>
/// A host wired with <c>AddImageVolumeCacheInstrumentation()</c> and OpenTelemetry's in-memory exporters: a miss then a
/// hit come out as two spans and as the metric points of the cache's instruments.
/// </summary>
public sealed class InstrumentationExportTests
{
    private const string Backend = "host1@lvm";
    private const string Image = "image-a";
    private const int ImageBytes = 100_000;

    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];
    private IHost _host = null!;

    [SetUp]
    public async Task StartHost()
    {
        // NUnit runs every test of a fixture on one instance.
        _spans.Clear();
        _metrics.Clear();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var images = new InMemoryImageService();
        images.Add(Image, [.. Enumerable.Range(0, ImageBytes).Select(i => (byte)i)]);
        builder.Services.AddImageVolumeCache(options =>
            {
                options.InternalTenant.ProjectId = "internal-project";
                options.InternalTenant.UserId = "internal-user";
            })
            .AddBackend(Backend, _ => new InMemoryVolumeDriver())
            .UseImageService(_ => images);

        // begin: readme-opentelemetry
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddImageVolumeCacheInstrumentation())
            .WithTracing(tracing => tracing.AddImageVolumeCacheInstrumentation());
        // end: readme-opentelemetry

        // The exporters a host would add (OTLP, say) are in-memory ones here.
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));

        _host = builder.Build();
        await _host.StartAsync();
    }

    [TearDown]
    public async Task StopHost()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Test]
    public async Task A_miss_and_a_hit_are_exported_as_two_spans_named_tagged_and_with_their_steps()
    {
        await MissThenHitAsync();

        Assert.That(_spans.Select(s => (s.Source.Name, s.OperationName, s.Kind, s.Status)), Is.All.EqualTo((ImageVolumeCacheDiagnostics.ActivitySourceName, ImageVolumeCacheDiagnostics.CreateFromImageActivity, ActivityKind.Internal, ActivityStatusCode.Unset)));
        Assert.That(_spans.Select(s => s.GetTagItem("imagevolumecache.path")), Is.EqualTo(new[] { "cache_miss_created", "cache_hit" }));
        Assert.That(_spans.Select(s => (s.GetTagItem("imagevolumecache.backend"), s.GetTagItem("imagevolumecache.image_id"))), Is.All.EqualTo(((object)Backend, (object)Image)));
        Assert.That(_spans.Select(s => s.GetTagItem("imagevolumecache.volume_id")), Is.EqualTo(new[] { "vol-miss", "vol-hit" }));
        Assert.That(_spans[0].Events.Select(e => e.Name), Does.Contain("cache_lookup").And.Contain("create_cache_entry").And.Contain("clone_from_cache"));
        Assert.That(_spans[1].Events.Select(e => e.Name), Does.Contain("cache_lookup").And.Contain("clone_from_cache").And.Not.Contain("create_cache_entry"));
    }

    [Test]
    public async Task A_miss_and_a_hit_are_exported_as_the_metric_points_of_the_caches_counters()
    {
        await MissThenHitAsync();

        Dictionary<string, MetricSnapshot> metrics = Flush();
        Assert.That(Sums(metrics["imagevolumecache.cache.misses"]), Is.EqualTo(new[] { ($"backend={Backend}", 1L) }));
        Assert.That(Sums(metrics["imagevolumecache.cache.hits"]), Is.EqualTo(new[] { ($"backend={Backend}", 1L) }));
        Assert.That(Sums(metrics["imagevolumecache.cache.fills"]), Is.EqualTo(new[] { ($"backend={Backend},outcome=created", 1L) }));
        Assert.That(Sums(metrics["imagevolumecache.download.io"]), Is.EqualTo(new[] { ($"backend={Backend}", (long)ImageBytes) }));
        Assert.That(metrics.Values.Where(m => m.MeterName != ImageVolumeCacheDiagnostics.MeterName), Is.Empty);
    }

    [Test]
    public async Task A_miss_and_a_hit_are_exported_as_histogram_points_in_seconds_and_bytes_with_the_advised_buckets()
    {
        await MissThenHitAsync();

        Dictionary<string, MetricSnapshot> metrics = Flush();
        MetricSnapshot pipeline = metrics["imagevolumecache.pipeline.duration"];
        MetricSnapshot downloadDuration = metrics["imagevolumecache.download.duration"];
        MetricSnapshot downloadSize = metrics["imagevolumecache.download.size"];
        Assert.That((pipeline.Unit, downloadDuration.Unit, downloadSize.Unit), Is.EqualTo(("s", "s", "By")));
        Assert.That(Counts(pipeline), Is.EquivalentTo(new[] { ($"backend={Backend},path=cache_miss_created", 1L), ($"backend={Backend},path=cache_hit", 1L) }));
        Assert.That(Counts(downloadDuration), Is.EqualTo(new[] { ($"backend={Backend}", 1L) }), "one download: the miss's");
        Assert.That(downloadSize.MetricPoints.Single().GetHistogramSum(), Is.EqualTo(ImageBytes));
        Assert.That(Bounds(downloadDuration), Does.Contain(0.001).And.Contain(3600.0), "the duration buckets span 1 ms to 1 hour");
        Assert.That(Bounds(downloadSize), Does.Contain((double)(1L << 20)).And.Contain((double)(1L << 40)), "the size buckets span 1 MiB to 1 TiB");
    }

    [Test]
    public async Task The_gauges_are_exported_with_the_scopes_entries_and_bytes()
    {
        await MissThenHitAsync();

        Dictionary<string, MetricSnapshot> metrics = Flush();
        Assert.That(Gauges(metrics["imagevolumecache.cache.entries"]), Is.EqualTo(new[] { ($"backend={Backend},scope={Backend}", 1L) }));
        Assert.That(Gauges(metrics["imagevolumecache.cache.size"]), Is.EqualTo(new[] { ($"backend={Backend},scope={Backend}", 1L << 30) }));
    }

    [Test]
    public void The_readme_shows_this_files_opentelemetry_code()
    {
        IReadOnlyList<string> blocks = RepositoryFiles.CodeBlocks(RepositoryFiles.Read("README.md"), "## Notifications, metrics and traces", "csharp");

        Assert.That(blocks, Does.Contain(RepositoryFiles.Region("tests/ImageVolumeCache.OpenTelemetry.Tests/InstrumentationExportTests.cs", "readme-opentelemetry")));
    }

    private async Task MissThenHitAsync()
    {
        CreateFromImagePipeline pipeline = _host.Services.GetRequiredService<CreateFromImagePipeline>();
        var requester = new RequestContext("user-project", "user-1");
        foreach (string volumeId in new[] { "vol-miss", "vol-hit" })
        {
            var volume = new VolumeSpec(volumeId, Backend, 1) { ProjectId = requester.ProjectId, UserId = requester.UserId };
            await pipeline.CreateAsync(new CreateVolumeFromImageRequest(requester, volume, Image));
        }
    }

    /// <summary>Exports the metrics now, once, by name.</summary>
    private Dictionary<string, MetricSnapshot> Flush()
    {
        Assert.That(_host.Services.GetRequiredService<MeterProvider>().ForceFlush(), Is.True);
        return _metrics.ToDictionary(m => m.Name);
    }

    private static IEnumerable<(string Tags, long Sum)> Sums(MetricSnapshot metric) => Points(metric, point => point.GetSumLong());

    private static IEnumerable<(string Tags, long Value)> Gauges(MetricSnapshot metric) => Points(metric, point => point.GetGaugeLastValueLong());

    private static IEnumerable<(string Tags, long Count)> Counts(MetricSnapshot metric) => Points(metric, point => point.GetHistogramCount());

    private static List<double> Bounds(MetricSnapshot metric)
    {
        var bounds = new List<double>();
        foreach (HistogramBucket bucket in metric.MetricPoints.Single().GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        return bounds;
    }

    /// <summary>Each point as its tags ("key=value,…" in key order) and one of its values.</summary>
    private static List<(string Tags, long Value)> Points(MetricSnapshot metric, Func<MetricPoint, long> value)
    {
        var points = new List<(string, long)>();
        foreach (MetricPoint point in metric.MetricPoints)
        {
            var tags = new List<string>();
            foreach (KeyValuePair<string, object?> tag in point.Tags)
            {
                tags.Add($"{tag.Key}={tag.Value}");
            }

            tags.Sort(StringComparer.Ordinal);
            points.Add((string.Join(',', tags), value(point)));
        }

        return points;
    }
}
