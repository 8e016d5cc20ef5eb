using System.Diagnostics.Metrics;

namespace ImageVolumeCache.Glance.Diagnostics;

/// <summary>
/// The Glance image service's instruments, on the library's meter (<c>ImageVolumeCache</c>), made from the host's
/// <see cref="IMeterFactory"/> when it has one, so that what listens to the cache's instruments hears these too.
/// </summary>
internal sealed class GlanceMetrics : IDisposable
{
    /// <summary>Image bytes downloaded a second time because a download of the same data had to start over from its first byte.</summary>
    public const string RefetchedBytes = "imagevolumecache.glance.refetched";

    /// <summary>Interrupted downloads, by how each went on: <c>resumed</c>, <c>restarted</c> (sent again from the first byte), <c>changed</c> (the image changed meanwhile).</summary>
    public const string Resumes = "imagevolumecache.glance.resumes";

    private const string MeterName = "ImageVolumeCache";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _refetched;
    private readonly Counter<long> _resumes;

    public GlanceMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _refetched = _meter.CreateCounter<long>(RefetchedBytes, "By", "Image bytes the Glance image service downloaded again because a download started over from its first byte.");
        _resumes = _meter.CreateCounter<long>(Resumes, "{resume}", "Interrupted Glance downloads, by how each went on.");
    }

    public void Resumed() => _resumes.Add(1, new KeyValuePair<string, object?>("outcome", "resumed"));

    public void StartedOver(bool imageChanged, long bytesAlreadyFetched)
    {
        _resumes.Add(1, new KeyValuePair<string, object?>("outcome", imageChanged ? "changed" : "restarted"));
        if (!imageChanged && bytesAlreadyFetched > 0)
        {
            _refetched.Add(bytesAlreadyFetched);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
