using ImageVolumeCache;

namespace OpenTelemetry.Trace;

/// <summary>Adds the image-volume cache's traces to an OpenTelemetry tracer provider.</summary>
public static class ImageVolumeCacheTracerProviderBuilderExtensions
{
    /// <summary>
    /// Collects the activities of the image-volume cache: the activity source
    /// <see cref="ImageVolumeCacheDiagnostics.ActivitySourceName"/>, which makes one activity
    /// (<see cref="ImageVolumeCacheDiagnostics.CreateFromImageActivity"/>) per
    /// <see cref="CreateFromImagePipeline.CreateAsync"/> call. The same as
    /// <c>AddSource(ImageVolumeCacheDiagnostics.ActivitySourceName)</c>.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TracerProviderBuilder AddImageVolumeCacheInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ImageVolumeCacheDiagnostics.ActivitySourceName);
    }
}
