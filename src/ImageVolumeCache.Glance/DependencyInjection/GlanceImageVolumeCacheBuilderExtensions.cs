using ImageVolumeCache;
using ImageVolumeCache.Glance;
using ImageVolumeCache.Glance.Configuration;
using ImageVolumeCache.Glance.Diagnostics;
using ImageVolumeCache.Glance.Images;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Takes images from OpenStack Glance (v2 API).</summary>
public static class GlanceImageVolumeCacheBuilderExtensions
{
    /// <summary>
    /// Describes and downloads images through the Glance v2 API at <paramref name="endpoint"/>, with the requester's own
    /// credentials (<see cref="RequestContext.AuthToken"/> as <c>X-Auth-Token</c>, and the headers of an
    /// <see cref="IGlanceHeaderProvider"/> when one is registered). Replaces any image service registered before.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="endpoint">The root of the Glance API, for example <c>http://glance.example:9292</c>.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseGlanceImageService(this IImageVolumeCacheBuilder builder, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return builder.UseGlanceImageService(options => options.Endpoint = endpoint);
    }

    /// <summary>
    /// Describes and downloads images through the Glance v2 API, as the options say; they are validated at start-up
    /// (an <see cref="OptionsValidationException"/> names the option). Replaces any image service registered before.
    /// Its requests go through the <see cref="HttpClient"/> named <c>ImageVolumeCache.Glance</c> of
    /// <see cref="IHttpClientFactory"/> (a host may add handlers to it), with a timeout and transient retries.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IImageVolumeCacheBuilder UseGlanceImageService(this IImageVolumeCacheBuilder builder, Action<GlanceImageServiceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        IServiceCollection services = builder.Services;
        services.AddOptions<GlanceImageServiceOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GlanceImageServiceOptions>, GlanceImageServiceOptionsValidator>());
        services.AddHttpClient(GlanceImageService.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("glance", AddTimeoutAndRetries);
        services.TryAddSingleton(sp => new GlanceMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new GlanceImageService(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<GlanceImageServiceOptions>>(),
            sp.GetRequiredService<IOptionsMonitor<ImageVolumeCacheOptions>>(),
            sp.GetRequiredService<GlanceMetrics>(),
            sp.GetRequiredService<ILogger<GlanceImageService>>(),
            sp.GetService<IGlanceHeaderProvider>(),
            sp.GetService<TimeProvider>()));
        return builder.UseImageService(sp => sp.GetRequiredService<GlanceImageService>());
    }

    /// <summary>Transient failures (connection errors, timeouts, 408, 429, 5xx) are retried with jittered exponential back-off; each try has its own timeout.</summary>
    private static void AddTimeoutAndRetries(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        GlanceImageServiceOptions options = context.ServiceProvider.GetRequiredService<IOptions<GlanceImageServiceOptions>>().Value;
        if (options.RequestRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.RequestRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
            });
        }

        pipeline.AddTimeout(options.RequestTimeout);
    }
}
