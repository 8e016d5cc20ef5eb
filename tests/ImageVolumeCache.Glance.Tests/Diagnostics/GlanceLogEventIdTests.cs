namespace ImageVolumeCache.Glance.Tests.Diagnostics;

/// <summary>The Glance package's log event ids are stable: unique, and in its own range (5000-5999).</summary>
public sealed class GlanceLogEventIdTests : LogEventIdConventions
{
    protected override Type LogClass => typeof(ImageVolumeCache.Glance.Diagnostics.Log);

    protected override int RangeStart => 5000;
}
