using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ImageVolumeCache.OpenTelemetry.Tests;

/// <summary>The argument checks of <c>AddImageVolumeCacheInstrumentation()</c>.</summary>
public sealed class ProviderBuilderExtensionsTests
{
    [Test]
    public void A_null_meter_provider_builder_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => ((MeterProviderBuilder)null!).AddImageVolumeCacheInstrumentation());
    }

    [Test]
    public void A_null_tracer_provider_builder_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => ((TracerProviderBuilder)null!).AddImageVolumeCacheInstrumentation());
    }
}
