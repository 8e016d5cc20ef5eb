using ImageVolumeCache.Glance.Configuration;

namespace ImageVolumeCache.Glance.Tests.Configuration;

/// <summary>Each bad option is refused at start-up with a message that names it.</summary>
public sealed class GlanceImageServiceOptionsTests
{
    [Test]
    public void Default_options_with_an_endpoint_are_valid()
    {
        var options = new GlanceImageServiceOptions { Endpoint = new Uri("http://glance.example:9292") };

        Assert.That(Validate(options), Is.Empty);
        Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(options.RequestRetries, Is.EqualTo(3));
    }

    [Test]
    public void A_missing_endpoint_is_refused_naming_the_option() =>
        Assert.That(Validate(new GlanceImageServiceOptions()), Is.EqualTo(new[]
        {
            "GlanceImageServiceOptions.Endpoint is required: the root of the Glance API, for example http://glance.example:9292.",
        }));

    [Test]
    public void An_endpoint_that_is_not_http_is_refused_naming_the_option() =>
        Assert.That(Validate(new GlanceImageServiceOptions { Endpoint = new Uri("ftp://glance.example/") }), Is.EqualTo(new[]
        {
            "GlanceImageServiceOptions.Endpoint must be an absolute http or https URI, but was 'ftp://glance.example/'.",
        }));

    [Test]
    public void Out_of_range_timeouts_and_retries_are_refused_naming_each_option() =>
        Assert.That(
            Validate(new GlanceImageServiceOptions
            {
                Endpoint = new Uri("https://glance.example/image/"),
                RequestTimeout = TimeSpan.Zero,
                RequestRetries = 11,
                RetryDelay = TimeSpan.FromMinutes(2),
            }),
            Is.EqualTo(new[]
            {
                "GlanceImageServiceOptions.RequestTimeout must be from 00:00:00.001 to 01:00:00, but was 00:00:00.",
                "GlanceImageServiceOptions.RequestRetries must be from 0 to 10, but was 11.",
                "GlanceImageServiceOptions.RetryDelay must be from 00:00:00 to 00:01:00, but was 00:02:00.",
            }));

    private static IEnumerable<string> Validate(GlanceImageServiceOptions options) =>
        new GlanceImageServiceOptionsValidator().Validate(null, options).Failures ?? [];
}
