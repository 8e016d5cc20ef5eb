using ImageVolumeCache;

namespace OpenTelemetry.Metrics;

/// <summary>Adds the image-volume cache's metrics to an OpenTelemetry meter provider.</summary>
public static class ImageVolumeCacheMeterProviderBuilderExtensions
{
    /// <summary>
    /// Collects the instruments of the image-volume cache: the meter <see cref="ImageVolumeCacheDiagnostics.MeterName"/>
    /// (hits, misses, evictions, fills, durations and sizes of requests, downloads and conversions, entries and size per
    /// scope). The same as <c>AddMeter(ImageVolumeCacheDiagnostics.MeterName)</c>.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static MeterProviderBuilder AddImageVolumeCacheInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ImageVolumeCacheDiagnostics.MeterName);
    }
}
